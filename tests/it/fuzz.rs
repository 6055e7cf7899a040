//! Fuzzing as a property test: seeded mutations of a valid spec, of a valid survey CSV and of
//! generated expressions must give `Ok` or a `vnr_brief::Error`, never a panic.
//!
//! Each target runs for a time budget: `VNR_FUZZ_SECONDS` (default 3 seconds, what CI runs) from
//! `VNR_FUZZ_SEED` (default fixed, so a CI failure reproduces). For a long local run:
//!
//! ```text
//! VNR_FUZZ_SECONDS=600 VNR_FUZZ_SEED=$RANDOM cargo test --test it fuzz:: -- --nocapture
//! ```
//!
//! A panic stops the target and writes the input to `target/fuzz-failures/`, with the seed and
//! the iteration in the message, so it can be replayed.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};
use vnr_brief::app::pipeline;
use vnr_brief::io::inputs;
use vnr_brief::spec::{self, LoadedSpec};
use vnr_brief::survey;

const DEMO: &str = include_str!("../../specs/demo.toml");

fn budget() -> Duration {
    let secs = std::env::var("VNR_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .unwrap_or(3.0);
    Duration::from_secs_f64(secs)
}

fn seed(target: u64) -> u64 {
    let base = std::env::var("VNR_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or(20261122);
    base ^ (target << 40)
}

/// Generate inputs and `check` each until the budget is spent; a panic is reported with the input
/// that caused it and the seed that regenerates it.
fn fuzz(
    name: &str,
    target: u64,
    mut generate: impl FnMut(&mut ChaCha8Rng) -> String,
    mut check: impl FnMut(&str),
) -> u64 {
    let seed = seed(target);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let deadline = Instant::now() + budget();
    let mut iterations = 0u64;
    // Silence the default hook's backtrace for panics we catch and report ourselves.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let mut failure = None;
    while Instant::now() < deadline {
        let input = generate(&mut rng);
        let outcome = catch_unwind(AssertUnwindSafe(|| check(&input)));
        if let Err(payload) = outcome {
            let message = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            failure = Some((iterations, message, input));
            break;
        }
        iterations += 1;
    }
    std::panic::set_hook(hook);
    if let Some((iteration, message, input)) = failure {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fuzz-failures");
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join(format!("{name}-{seed}-{iteration}.txt"));
        std::fs::write(&file, &input).unwrap();
        panic!(
            "{name}: panic at iteration {iteration} (VNR_FUZZ_SEED={}): {message}; input written to {}",
            seed ^ (target << 40),
            file.display()
        );
    }
    eprintln!("{name}: {iterations} inputs, no panic");
    assert!(iterations > 0, "{name}: the budget allowed no iteration");
    iterations
}

/// Fragments that stress TOML, CSV and SQL parsers: quotes, brackets, numbers at the edges,
/// non-ASCII, control characters, paths that try to leave the folder.
const TOKENS: &[&str] = &[
    "\"",
    "'",
    "[",
    "]",
    "[[indicator]]",
    "[[wave]]",
    "[[scenario.scheme]]",
    "=",
    "==",
    ",",
    "-1",
    "0",
    "1e309",
    "-0.0",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "\"\"",
    "\n",
    "\r\n",
    "#",
    "{",
    "}",
    "\0",
    "é",
    "中文",
    "\u{feff}",
    "0x1F",
    "true",
    "false",
    "..",
    "../../x",
    "/etc/passwd",
    "  ",
    "\t",
    "9999999999999999999999",
    "NULL",
    "(",
    ")",
    ";",
    "--",
    "/*",
    "*/",
    "\\",
    "$x$",
    "#set page()",
];

fn pick<'a, T: ?Sized>(rng: &mut ChaCha8Rng, items: &'a [&'a T]) -> &'a T {
    items[(rng.next_u64() % items.len() as u64) as usize]
}

fn below(rng: &mut ChaCha8Rng, n: usize) -> usize {
    (rng.next_u64() % n.max(1) as u64) as usize
}

/// One to four random edits of a text, line- and character-level.
fn mutate_text(rng: &mut ChaCha8Rng, text: &str) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for _ in 0..1 + below(rng, 4) {
        if lines.is_empty() {
            lines.push(String::new());
        }
        let i = below(rng, lines.len());
        match below(rng, 8) {
            0 => {
                lines.remove(i);
            }
            1 => {
                let l = lines[i].clone();
                lines.insert(i, l);
            }
            2 => {
                let j = below(rng, lines.len());
                lines.swap(i, j);
            }
            3 => {
                // Replace the value after `=` (or a CSV cell) by a token.
                let l = &lines[i];
                let sep = if l.contains(" = ") { " = " } else { "," };
                let mut parts: Vec<String> = l.split(sep).map(str::to_string).collect();
                let k = below(rng, parts.len());
                parts[k] = pick(rng, TOKENS).to_string();
                lines[i] = parts.join(sep);
            }
            4 => {
                let l = &mut lines[i];
                let chars: Vec<char> = l.chars().collect();
                let at = below(rng, chars.len() + 1);
                let mut s: String = chars[..at].iter().collect();
                s.push_str(pick(rng, TOKENS));
                s.extend(&chars[at..]);
                *l = s;
            }
            5 => {
                let l = &mut lines[i];
                let chars: Vec<char> = l.chars().collect();
                *l = chars[..below(rng, chars.len() + 1)].iter().collect();
            }
            6 => {
                let l = &mut lines[i];
                let mut chars: Vec<char> = l.chars().collect();
                if !chars.is_empty() {
                    let at = below(rng, chars.len());
                    chars[at] = char::from_u32((rng.next_u32() % 0x3000) + 1).unwrap_or('x');
                }
                *l = chars.into_iter().collect();
            }
            _ => {
                let n = lines.len();
                lines.truncate(below(rng, n + 1));
            }
        }
    }
    let mut out = lines.join("\n");
    if below(rng, 2) == 0 {
        out.push('\n');
    }
    out
}

/// Every expression a spec holds (each is parsed again by the survey stage).
fn expressions(spec: &spec::Spec) -> Vec<String> {
    let text = toml::to_string(spec).unwrap_or_default();
    let value: toml::Value = toml::from_str(&text).unwrap_or(toml::Value::Boolean(false));
    let mut out = Vec::new();
    fn walk(v: &toml::Value, key: &str, out: &mut Vec<String>) {
        match v {
            toml::Value::String(s)
                if matches!(
                    key,
                    "expr" | "outcome" | "population" | "eligible" | "exclude" | "head" | "score"
                ) =>
            {
                out.push(s.clone())
            }
            toml::Value::Array(a) => a.iter().for_each(|x| walk(x, key, out)),
            toml::Value::Table(t) => t.iter().for_each(|(k, x)| walk(x, k, out)),
            _ => {}
        }
    }
    walk(&value, "", &mut out);
    out
}

#[test]
fn spec_parsing_never_panics() {
    let n = fuzz(
        "spec",
        1,
        |rng| mutate_text(rng, DEMO),
        |text| {
            let Ok(spec) = spec::parse(text) else { return };
            if spec::validate(&spec).is_ok() {
                for e in expressions(&spec) {
                    let _ = spec::parse_expr("fuzz", &e);
                }
            }
        },
    );
    assert!(n > 50, "only {n} specs tried");
}

/// A small survey as CSV (150 households) and the demo spec pointed at it with a cheap design.
fn small_case() -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.csv");
    vnr_brief::app::cli::write_synth(&path, 150, 7, 1).unwrap();
    let csv = std::fs::read_to_string(&path).unwrap();
    let spec = DEMO
        .replace(".parquet\"", ".csv\"")
        .replace("[lnob]\nworld_bank = true", "[lnob]\nworld_bank = false")
        .replace(
            "[spot]",
            "[uncertainty]\nreplicates = 5\nmin_n = 5\n\n[spot]",
        )
        .replace(
            "formats = [\"md\", \"typ\", \"pdf\", \"xlsx\"]",
            "formats = [\"md\"]",
        );
    (csv, spec)
}

/// Parse a CSV text and prepare both waves of the spec on it; returns the surveys when the data
/// pass every check.
fn surveys_from_csv(loaded: &LoadedSpec, csv: &str) -> Option<Vec<vnr_brief::survey::Survey>> {
    let frame = inputs::parse_bytes(
        Path::new("fuzz.csv"),
        spec::FileFormat::Csv,
        csv.as_bytes().to_vec(),
    )
    .ok()?;
    let mut out = Vec::new();
    for wave in &loaded.spec.waves {
        let s = survey::from_frame(&loaded.spec, wave, frame.clone()).ok()?;
        pipeline::check_references(&loaded.spec, &s).ok()?;
        out.push(s);
    }
    Some(out)
}

fn loaded(spec_text: &str) -> LoadedSpec {
    LoadedSpec {
        spec: spec::parse(spec_text).unwrap(),
        path: PathBuf::from("fuzz.toml"),
        bytes: spec_text.as_bytes().to_vec(),
    }
}

#[test]
fn csv_loading_and_analysis_never_panic() {
    let (csv, spec_text) = small_case();
    let loaded = loaded(&spec_text);
    spec::validate(&loaded.spec).unwrap();
    // The unmutated case must analyse cleanly, or the target tests nothing.
    let surveys = surveys_from_csv(&loaded, &csv).expect("the clean case loads");
    pipeline::analyse(&loaded, &surveys).expect("the clean case analyses");
    let mut analysed = 0;
    let n = fuzz(
        "csv",
        2,
        |rng| mutate_text(rng, &csv),
        |text| {
            let Some(surveys) = surveys_from_csv(&loaded, text) else {
                return;
            };
            if pipeline::analyse(&loaded, &surveys).is_ok() {
                analysed += 1;
            }
        },
    );
    eprintln!("csv: {analysed} of {n} mutated surveys analysed to the end");
    assert!(n > 5, "only {n} surveys tried");
}

/// A random SQL expression over the survey's columns (and some that do not exist).
fn gen_expr(rng: &mut ChaCha8Rng, columns: &[String], depth: u32) -> String {
    let leaf = |rng: &mut ChaCha8Rng| -> String {
        match below(rng, 4) {
            0 | 1 => columns[below(rng, columns.len())].clone(),
            2 => pick(
                rng,
                &[
                    "0",
                    "1",
                    "-1",
                    "0.5",
                    "1e308",
                    "2147483648",
                    "30",
                    "NULL",
                    "TRUE",
                ],
            )
            .to_string(),
            _ => pick(rng, &["'Urban'", "''", "'Q1'", "'it''s'", "'é'", "'%a%'"]).to_string(),
        }
    };
    if depth == 0 {
        return leaf(rng);
    }
    let sub = |rng: &mut ChaCha8Rng| gen_expr(rng, columns, depth - 1);
    match below(rng, 12) {
        0 => {
            let op = pick(
                rng,
                &[
                    "+", "-", "*", "/", "%", "=", "<>", "<", "<=", ">", ">=", "AND", "OR", "||",
                ],
            );
            format!("{} {op} {}", sub(rng), sub(rng))
        }
        1 => format!("NOT ({})", sub(rng)),
        2 => format!("{} IN ({}, {})", sub(rng), leaf(rng), leaf(rng)),
        3 => format!("{} BETWEEN {} AND {}", sub(rng), leaf(rng), leaf(rng)),
        4 => format!("{} IS NULL", sub(rng)),
        5 => format!(
            "CASE WHEN {} THEN {} ELSE {} END",
            sub(rng),
            sub(rng),
            sub(rng)
        ),
        6 => format!(
            "CAST({} AS {})",
            sub(rng),
            pick(rng, &["INT", "DOUBLE", "VARCHAR", "BOOLEAN"])
        ),
        7 => format!(
            "{}({})",
            pick(
                rng,
                &["ABS", "LENGTH", "LOWER", "UPPER", "ROUND", "SQRT", "LN", "FLOOR"]
            ),
            sub(rng)
        ),
        8 => format!("COALESCE({}, {})", sub(rng), sub(rng)),
        9 => format!("{} LIKE {}", sub(rng), leaf(rng)),
        10 => format!("({})", sub(rng)),
        _ => {
            // A broken expression: drop one character of a valid one.
            let e = sub(rng);
            let chars: Vec<char> = e.chars().collect();
            let at = below(rng, chars.len());
            chars
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != at)
                .map(|(_, c)| c)
                .collect()
        }
    }
}

#[test]
fn expressions_never_panic() {
    let (csv, spec_text) = small_case();
    let loaded = loaded(&spec_text);
    let surveys = surveys_from_csv(&loaded, &csv).expect("the clean case loads");
    let survey = &surveys[0];
    let mut columns: Vec<String> = survey
        .frame
        .get_column_names()
        .iter()
        .map(|c| c.to_string())
        .collect();
    columns.extend(["no_such_column".to_string(), "\"quoted col\"".to_string()]);
    let mut evaluated = 0;
    let n = fuzz(
        "expr",
        3,
        |rng| {
            let depth = 1 + below(rng, 4) as u32;
            gen_expr(rng, &columns, depth)
        },
        |text| {
            if let Ok(expr) = spec::parse_expr("fuzz", text) {
                let ok_mask = survey.eval_mask("fuzz", expr.clone()).is_ok();
                let ok_f64 = survey.eval_f64("fuzz", expr).is_ok();
                if ok_mask || ok_f64 {
                    evaluated += 1;
                }
            }
        },
    );
    eprintln!("expr: {evaluated} of {n} expressions evaluated");
    assert!(n > 50, "only {n} expressions tried");
}
