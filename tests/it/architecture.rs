//! The stage rules of `docs/architecture.md`, enforced: every `crate::` path in `src/` is read,
//! and a stage may name only the stages it is allowed to depend on. A few known edges that break
//! the rules are listed as debts with the work that removes them; a debt that is gone must be
//! struck from the list, so the list stays the truth.

use std::collections::BTreeSet;
use std::path::Path;

/// Stage of each top-level module of the crate.
const STAGES: &[(&str, &str)] = &[
    ("error", "error"),
    ("estimate", "estimate"),
    ("spec", "spec"),
    ("io", "io"),
    ("survey", "survey"),
    ("results", "results"),
    ("analysis", "analysis"),
    ("present", "present"),
    ("publish", "publish"),
    ("app", "app"),
    ("synth", "synth"),
];

/// What each stage may use (besides itself). The order is the pipeline's: nothing names a stage
/// after it.
const ALLOWED: &[(&str, &[&str])] = &[
    ("error", &[]),
    ("synth", &["error"]),
    ("estimate", &["error"]),
    ("spec", &["error", "estimate"]),
    ("io", &["error", "estimate", "spec"]),
    ("survey", &["error", "estimate", "spec", "io"]),
    ("results", &["error", "estimate"]),
    (
        "analysis",
        &["error", "estimate", "spec", "io", "survey", "results"],
    ),
    ("present", &["error", "estimate", "spec", "io", "results"]),
    ("publish", &["error", "io", "spec"]),
    (
        "app",
        &[
            "error", "estimate", "spec", "io", "survey", "results", "analysis", "present",
            "publish", "synth",
        ],
    ),
];

/// Known edges against the rules: (from stage, to stage, why it is still there).
const DEBTS: &[(&str, &str, &str)] = &[(
    "results",
    "spec",
    "results embed the spec's brief, macro figures, uncertainty options and kinds",
)];

fn stage_of_module(module: &str) -> Option<&'static str> {
    STAGES.iter().find(|(m, _)| *m == module).map(|(_, s)| *s)
}

/// The stage a source file belongs to, from its path under `src/`.
fn stage_of_file(relative: &Path) -> Option<&'static str> {
    let first = relative.components().next()?.as_os_str().to_str()?;
    stage_of_module(first.trim_end_matches(".rs"))
}

/// Top-level modules a source text names through `crate::` (comments ignored), including every
/// name of a grouped `use crate::{a, b::c}`.
fn named_modules(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                let inner = group.split('}').next().unwrap_or("");
                for part in inner.split(',') {
                    let name: String = part
                        .trim()
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    if !name.is_empty() {
                        out.insert(name);
                    }
                }
            } else {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    out.insert(name);
                }
            }
        }
    }
    out
}

/// Every (from stage, to stage, file) edge that the rules forbid.
fn forbidden_edges(files: &[(String, String)]) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for (path, text) in files {
        let Some(from) = stage_of_file(Path::new(path)) else {
            continue;
        };
        let allowed = ALLOWED
            .iter()
            .find(|(s, _)| *s == from)
            .map(|(_, a)| *a)
            .unwrap_or(&[]);
        for module in named_modules(text) {
            let Some(to) = stage_of_module(&module) else {
                continue; // `crate::Error` and the like: re-exports at the root
            };
            if to != from && !allowed.contains(&to) {
                out.push((from.to_string(), to.to_string(), path.clone()));
            }
        }
    }
    out
}

fn sources() -> Vec<(String, String)> {
    fn walk(dir: &Path, base: &Path, out: &mut Vec<(String, String)>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, base, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let rel = p.strip_prefix(base).unwrap().to_string_lossy().into_owned();
                out.push((rel, std::fs::read_to_string(&p).unwrap()));
            }
        }
    }
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = Vec::new();
    walk(&src, &src, &mut out);
    out.sort();
    out
}

#[test]
fn every_source_file_belongs_to_a_stage() {
    let strays: Vec<String> = sources()
        .into_iter()
        .map(|(p, _)| p)
        .filter(|p| !["lib.rs", "main.rs"].contains(&p.as_str()))
        .filter(|p| stage_of_file(Path::new(p)).is_none())
        .collect();
    assert!(
        strays.is_empty(),
        "files outside every stage (add them to a stage folder or to STAGES): {strays:?}"
    );
}

#[test]
fn stages_name_only_the_stages_before_them() {
    let edges = forbidden_edges(&sources());
    let debt = |from: &str, to: &str| DEBTS.iter().any(|(f, t, _)| *f == from && *t == to);
    let new: Vec<String> = edges
        .iter()
        .filter(|(f, t, _)| !debt(f, t))
        .map(|(f, t, p)| format!("src/{p}: {f} → {t}"))
        .collect();
    assert!(
        new.is_empty(),
        "forbidden dependencies (see docs/architecture.md):\n{}",
        new.join("\n")
    );
    let paid: Vec<String> = DEBTS
        .iter()
        .filter(|(f, t, _)| !edges.iter().any(|(ef, et, _)| ef == f && et == t))
        .map(|(f, t, _)| format!("{f} → {t}"))
        .collect();
    assert!(
        paid.is_empty(),
        "debts no longer present; strike them from DEBTS: {paid:?}"
    );
}

#[test]
fn the_checker_catches_a_forbidden_use() {
    let files = vec![
        (
            "estimate/stats.rs".to_string(),
            "use crate::present::render::Strings;\n".to_string(),
        ),
        (
            "spec/mod.rs".to_string(),
            "use crate::{error::Result, survey};\n// crate::app in a comment is not a use\n"
                .to_string(),
        ),
        (
            "analysis/lnob/mod.rs".to_string(),
            "let x = crate::estimate::stats::mean(&v);\n".to_string(),
        ),
    ];
    let edges = forbidden_edges(&files);
    assert_eq!(
        edges,
        vec![
            (
                "estimate".to_string(),
                "present".to_string(),
                "estimate/stats.rs".to_string()
            ),
            (
                "spec".to_string(),
                "survey".to_string(),
                "spec/mod.rs".to_string()
            ),
        ]
    );
}

#[test]
fn the_stage_graph_has_no_cycle() {
    // Every allowed edge goes to a stage listed earlier in ALLOWED, so the rules admit no cycle.
    let order: Vec<&str> = ALLOWED.iter().map(|(s, _)| *s).collect();
    for (k, (stage, uses)) in ALLOWED.iter().enumerate() {
        for u in *uses {
            let at = order.iter().position(|s| s == u).expect("a known stage");
            assert!(at < k, "{stage} may use {u}, which comes after it");
        }
    }
}
