//! LNOB estimators against R: trees against `rpart` (ESCAP controls), D-index, HOI and Shapley
//! against a direct R computation. Fixtures come from `tests/reference/lnob_reference.R`.

use std::collections::BTreeMap;

use serde_json::Value;
use vnr_brief::analysis::lnob::tree_result;
use vnr_brief::estimate::cells::{Cell, CellTable, Variable};
use vnr_brief::estimate::{dindex, tree};
use vnr_brief::results::lnob::SplitRule;
use vnr_brief::spec::{CircumstanceKind, LnobOptions};

const CASES: &[&str] = &[
    "escap_toy",
    "ordered_numeric",
    "region_many_levels",
    "ties",
    "small_deep",
    "large_weights",
];

struct Case {
    json: Value,
    table: CellTable,
    /// rpart's leaf node for each record, and the record's cell codes.
    records: Vec<(u64, Vec<u32>)>,
}

fn load(name: &str) -> Case {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/lnob/");
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{dir}{name}.json")).unwrap())
            .unwrap();
    let csv = std::fs::read_to_string(format!("{dir}{name}.csv")).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();

    let mut vars = Vec::new();
    let mut codes = Vec::new();
    for c in json["circumstances"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        let j = col(name);
        let kind = match c["kind"].as_str().unwrap() {
            "unordered" => CircumstanceKind::Unordered,
            "ordered" => CircumstanceKind::Ordered,
            _ => CircumstanceKind::Numeric,
        };
        let (levels, values): (Vec<String>, Vec<f64>) = if kind == CircumstanceKind::Numeric {
            let mut v: Vec<f64> = rows.iter().map(|r| r[j].parse().unwrap()).collect();
            v.sort_by(f64::total_cmp);
            v.dedup();
            (v.iter().map(|x| x.to_string()).collect(), v)
        } else {
            let l: Vec<String> = c["levels"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap().to_string())
                .collect();
            let n = l.len();
            (l, (0..n).map(|i| i as f64).collect())
        };
        codes.push(
            rows.iter()
                .map(|r| {
                    if kind == CircumstanceKind::Numeric {
                        let x: f64 = r[j].parse().unwrap();
                        values.iter().position(|v| *v == x).unwrap() as u32
                    } else {
                        levels.iter().position(|l| l == r[j]).unwrap() as u32
                    }
                })
                .collect::<Vec<u32>>(),
        );
        vars.push(Variable {
            id: name.into(),
            label: name.into(),
            kind,
            level_labels: levels.clone(),
            levels,
            values,
            splits: true,
        });
    }
    let y: Vec<f64> = rows.iter().map(|r| r[col("y")].parse().unwrap()).collect();
    let w: Vec<f64> = rows.iter().map(|r| r[col("w")].parse().unwrap()).collect();
    let records = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            (
                r[col("leaf")].parse().unwrap(),
                codes.iter().map(|c| c[i]).collect(),
            )
        })
        .collect();
    let table = CellTable::from_records(vars, &codes, &y, &w);
    Case {
        json,
        table,
        records,
    }
}

fn controls(j: &Value) -> tree::Controls {
    tree::Controls {
        minbucket: j["minbucket"].as_u64().unwrap(),
        minsplit: j["minsplit"].as_u64().unwrap(),
        maxdepth: j["maxdepth"].as_u64().unwrap() as usize,
        cp: j["cp"].as_f64().unwrap(),
    }
}

#[test]
fn escap_controls_match_escaps_build_tree() {
    // The fixtures record the controls rpart used when given ESCAP's real-valued
    // max(49, N/11) and twice that; `Controls::escap` must reproduce them from N alone.
    for name in CASES {
        let j = load(name).json;
        let n = j["N"].as_u64().unwrap();
        let ours = tree::Controls::escap(n, 49, 11, 6, None);
        let r = controls(&j);
        assert_eq!(
            (ours.minbucket, ours.minsplit),
            (r.minbucket, r.minsplit),
            "{name}: N = {n}"
        );
        assert_eq!(ours.cp, r.cp, "{name}: cp");
    }
    // 3000/11 = 272.7: minsplit is floor(545.45) = 545, not 2 * 272 = 544.
    let c = tree::Controls::escap(3000, 49, 11, 6, None);
    assert_eq!((c.minbucket, c.minsplit), (272, 545));
    // Small samples: the floor of 49 gives 98.
    let c = tree::Controls::escap(500, 49, 11, 6, None);
    assert_eq!((c.minbucket, c.minsplit), (49, 98));
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * (1.0 + b.abs())
}

#[test]
fn trees_match_rpart() {
    for name in CASES {
        let case = load(name);
        let j = &case.json;
        let t = tree::grow(&case.table, controls(j));
        let leaves = t.leaves();
        let r_leaves = j["leaves"].as_array().unwrap();
        assert_eq!(leaves.len(), r_leaves.len(), "{name}: number of leaves");
        let mine: BTreeMap<u64, usize> = leaves.iter().map(|&i| (t.nodes[i].id, i)).collect();
        for rl in r_leaves {
            let node = rl["node"].as_u64().unwrap();
            let &i = mine.get(&node).unwrap_or_else(|| {
                panic!("{name}: rpart leaf node {node} not in {:?}", mine.keys())
            });
            let leaf = &t.nodes[i];
            assert_eq!(leaf.n, rl["n"].as_u64().unwrap(), "{name} node {node}: n");
            assert!(
                close(leaf.w, rl["weight"].as_f64().unwrap(), 1e-12),
                "{name} node {node}: weight"
            );
            assert!(
                (leaf.rate() - rl["rate"].as_f64().unwrap()).abs() < 1e-12,
                "{name} node {node}: rate {} vs {}",
                leaf.rate(),
                rl["rate"]
            );
            // The path, step by step, as rpart prints it.
            let path = t.path(&case.table, i);
            let r_path = rl["path"].as_array().unwrap();
            assert_eq!(path.len(), r_path.len(), "{name} node {node}: path length");
            for (step, rs) in path.iter().zip(r_path) {
                let var = &case.table.vars[step.var];
                assert_eq!(
                    var.id,
                    rs["var"].as_str().unwrap(),
                    "{name} node {node}: split variable"
                );
                match &step.bound {
                    Some((op, x)) => {
                        assert_eq!(op, rs["op"].as_str().unwrap(), "{name} node {node}");
                        assert!(
                            (x - rs["value"].as_f64().unwrap()).abs() < 1e-12,
                            "{name} node {node}"
                        );
                    }
                    None => {
                        let levels: Vec<&str> = step
                            .levels
                            .iter()
                            .map(|&c| var.levels[c as usize].as_str())
                            .collect();
                        let r_levels: Vec<&str> = rs["levels"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|v| v.as_str().unwrap())
                            .collect();
                        assert_eq!(levels, r_levels, "{name} node {node}: levels of {}", var.id);
                    }
                }
            }
        }
        // Every record lands in the same leaf as in rpart.
        for (r_leaf, codes) in &case.records {
            let cell = case.table.cells.iter().find(|c| &c.codes == codes).unwrap();
            let mine = t.nodes[t.leaf_for(&case.table, cell)].id;
            assert_eq!(mine, *r_leaf, "{name}: a record of cell {codes:?}");
        }
        // Variable importance with rpart's default surrogates, and from primary splits only
        // (rpart with maxsurrogate = 0).
        let imp = t.importance(&case.table);
        let r_imp = j["variable_importance"].as_object().unwrap();
        for (v, var) in case.table.vars.iter().enumerate() {
            let expected = r_imp.get(&var.id).and_then(Value::as_f64).unwrap_or(0.0);
            assert!(
                close(imp[v], expected, 1e-9),
                "{name}: importance of {}: {} vs {expected}",
                var.id,
                imp[v]
            );
        }
        let imp = t.importance_primary(case.table.vars.len());
        let r_imp = j["variable_importance_nosurrogate"].as_object().unwrap();
        for (v, var) in case.table.vars.iter().enumerate() {
            let expected = r_imp.get(&var.id).and_then(Value::as_f64).unwrap_or(0.0);
            assert!(
                close(imp[v], expected, 1e-10),
                "{name}: importance of {}: {} vs {expected}",
                var.id,
                imp[v]
            );
        }
    }
}

#[test]
fn dindex_hoi_shapley_match_r() {
    for name in CASES {
        let case = load(name);
        let d = &case.json["dindex"];
        let mine = dindex::analyse(&case.table, false);
        assert!(
            (mine.pbar - d["pbar"].as_f64().unwrap()).abs() < 1e-12,
            "{name}: pbar"
        );
        assert!(
            (mine.d - d["D"].as_f64().unwrap()).abs() < 1e-12,
            "{name}: D {} vs {}",
            mine.d,
            d["D"]
        );
        assert!(
            (mine.hoi - d["HOI"].as_f64().unwrap()).abs() < 1e-12,
            "{name}: HOI"
        );
        for part in &mine.shapley {
            let expected = d["shapley"][&part.circumstance].as_f64().unwrap();
            assert!(
                (part.value - expected).abs() < 1e-12,
                "{name}: Shapley {}",
                part.circumstance
            );
        }
        let sum: f64 = mine.shapley.iter().map(|p| p.value).sum();
        assert!(
            (sum - mine.d).abs() < 1e-14,
            "{name}: Shapley parts sum to D"
        );
        // Every coalition's D, from collapsing the cell table.
        for (key, value) in d["D_subsets"].as_object().unwrap() {
            let subset: Vec<usize> = key
                .split(',')
                .map(|n| case.table.vars.iter().position(|v| v.id == n).unwrap())
                .collect();
            let mine = dindex::d_of_cells(&case.table.collapse(&subset), false);
            assert!(
                (mine - value.as_f64().unwrap()).abs() < 1e-12,
                "{name}: D({key})"
            );
        }
    }
}

#[test]
fn escap_toy_worked_case() {
    // The numbers of tests/reference/escap_toy.md (from ESCAP's worked example), independently
    // of the R fixture.
    let case = load("escap_toy");
    let d = dindex::analyse(&case.table, false);
    assert!((d.pbar - 0.5714285714).abs() < 1e-10);
    assert!((d.d - 0.1913387511).abs() < 1e-10);
    assert!((d.hoi - 0.4620921422).abs() < 1e-10);
    let t = tree::grow(&case.table, controls(&case.json));
    assert_eq!(t.controls.minbucket, 109);
    let mut leaves: Vec<(u64, f64)> = t
        .leaves()
        .iter()
        .map(|&i| (t.nodes[i].n, t.nodes[i].w))
        .collect();
    leaves.sort_by(|a, b| a.1.total_cmp(&b.1));
    let weights: Vec<i64> = leaves.iter().map(|l| l.1.round() as i64).collect();
    assert_eq!(weights, vec![90, 112, 198, 222, 259, 288]);
}

#[test]
fn world_bank_logit_matches_glm() {
    use vnr_brief::estimate::logit;
    for name in CASES {
        let case = load(name);
        let r = &case.json["logit"];
        let fit = logit::fit(&case.table);
        assert!(fit.converged, "{name}: converged");
        let coefs = r["coefficients"].as_object().unwrap();
        assert_eq!(fit.names.len(), coefs.len(), "{name}: {:?}", fit.names);
        for (n, b) in fit.names.iter().zip(&fit.coefficients) {
            let expected = coefs[n].as_f64().unwrap();
            assert!(
                (b - expected).abs() <= 1e-8 * expected.abs().max(1.0),
                "{name}: coefficient {n}: {b} vs {expected}"
            );
        }
        let d = r["D"].as_f64().unwrap();
        assert!(
            (fit.d - d).abs() < 1e-10,
            "{name}: logit D {} vs {d}",
            fit.d
        );
    }
}

#[test]
fn world_bank_logit_converges_with_weights_in_the_hundreds() {
    // 720 cells, 20,000 records, weights 150–900: a weighted deviance of 1.2e7. A fit that halves
    // every step raising the deviance stalls here (its noise exceeds the last step's gain);
    // this one must reach R's glm coefficients and D.
    use vnr_brief::estimate::logit;
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/lnob/");
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{dir}logit_stall.json")).unwrap())
            .unwrap();
    let csv = std::fs::read_to_string(format!("{dir}logit_stall_cells.csv")).unwrap();
    let ids = ["a", "b", "c", "d", "e"];
    let vars: Vec<Variable> = ids
        .iter()
        .map(|id| {
            let k = json["levels"][id].as_u64().unwrap() as usize;
            let levels: Vec<String> = (0..k).map(|l| l.to_string()).collect();
            Variable {
                id: id.to_string(),
                label: id.to_string(),
                kind: CircumstanceKind::Unordered,
                level_labels: levels.clone(),
                levels,
                values: (0..k).map(|l| l as f64).collect(),
                splits: true,
            }
        })
        .collect();
    let cells: Vec<Cell> = csv
        .lines()
        .skip(1)
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            Cell {
                codes: f[..5].iter().map(|c| c.parse().unwrap()).collect(),
                n: f[5].parse().unwrap(),
                w: f[6].parse().unwrap(),
                wy: f[7].parse().unwrap(),
            }
        })
        .collect();
    assert_eq!(cells.len(), 720);
    let fit = logit::fit(&CellTable { vars, cells });
    assert!(
        fit.converged,
        "not converged after {} iterations",
        fit.iterations
    );
    let coefs = json["coefficients"].as_object().unwrap();
    assert_eq!(fit.names.len(), coefs.len());
    for (n, b) in fit.names.iter().zip(&fit.coefficients) {
        let expected = coefs[n].as_f64().unwrap();
        assert!(
            (b - expected).abs() <= 1e-9 * expected.abs().max(1.0),
            "coefficient {n}: {b} vs {expected}"
        );
    }
    let d = json["D"].as_f64().unwrap();
    assert!((fit.d - d).abs() < 1e-11, "logit D {} vs {d}", fit.d);
}

#[test]
fn a_negative_cp_grows_what_rpart_grows() {
    // rpart with cp = -1 has no complexity stop; with cp = 1/N it stops earlier. Small nodes
    // (minbucket 20) so that the complexity stop binds.
    for name in ["ordered_numeric", "small_deep"] {
        let case = load(name);
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/lnob/");
        let j: Value = serde_json::from_str(
            &std::fs::read_to_string(format!("{dir}{name}_cp_negative.json")).unwrap(),
        )
        .unwrap();
        for fit in j["fits"].as_array().unwrap() {
            let cp = fit["cp"].as_f64().unwrap();
            let t = tree::grow(
                &case.table,
                tree::Controls {
                    minbucket: 20,
                    minsplit: 40,
                    maxdepth: 6,
                    cp,
                },
            );
            let mut ours: Vec<(u64, u64, f64)> = t
                .leaves()
                .iter()
                .map(|&i| (t.nodes[i].id, t.nodes[i].n, t.nodes[i].rate()))
                .collect();
            ours.sort_by_key(|l| l.0);
            let mut theirs: Vec<(u64, u64, f64)> = fit["leaves"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| {
                    (
                        l["node"].as_u64().unwrap(),
                        l["n"].as_u64().unwrap(),
                        l["rate"].as_f64().unwrap(),
                    )
                })
                .collect();
            theirs.sort_by_key(|l| l.0);
            assert_eq!(ours.len(), theirs.len(), "{name}, cp {cp}: leaves");
            for (a, b) in ours.iter().zip(&theirs) {
                assert_eq!((a.0, a.1), (b.0, b.1), "{name}, cp {cp}: node and n");
                assert!(
                    (a.2 - b.2).abs() < 1e-12,
                    "{name}, cp {cp}: rate of node {}",
                    a.0
                );
            }
        }
    }
}

/// The table with variable `v` summed out: the cells of equal codes on the other variables merged.
fn without_variable(table: &CellTable, v: usize) -> CellTable {
    let mut merged: BTreeMap<Vec<u32>, (u64, f64, f64)> = BTreeMap::new();
    for c in &table.cells {
        let mut codes = c.codes.clone();
        codes.remove(v);
        let e = merged.entry(codes).or_default();
        e.0 += c.n;
        e.1 += c.w;
        e.2 += c.wy;
    }
    let mut vars = table.vars.clone();
    vars.remove(v);
    CellTable {
        vars,
        cells: merged
            .into_iter()
            .map(|(codes, (n, w, wy))| Cell { codes, n, w, wy })
            .collect(),
    }
}

/// A circumstance marked `tree = false` (D and Shapley only, as ESCAP treats region) never
/// splits: the tree is the one grown without it (itself rpart's, as `trees_match_rpart` checks
/// on the same engine), it has no importance, and it still counts in D.
#[test]
fn a_circumstance_kept_out_of_the_tree_grows_the_tree_without_it() {
    for name in CASES {
        let case = load(name);
        let c = controls(&case.json);
        for v in 0..case.table.vars.len() {
            let mut marked = case.table.clone();
            marked.vars[v].splits = false;
            let (a, b) = (
                tree::grow(&marked, c),
                tree::grow(&without_variable(&case.table, v), c),
            );
            let (la, lb) = (a.leaves(), b.leaves());
            assert_eq!(la.len(), lb.len(), "{name}, without variable {v}: leaves");
            for (&i, &k) in la.iter().zip(&lb) {
                let (x, y) = (&a.nodes[i], &b.nodes[k]);
                assert_eq!((x.id, x.n), (y.id, y.n), "{name}, without variable {v}");
                assert!(
                    close(x.w, y.w, 1e-12) && close(x.wy / x.w, y.wy / y.w, 1e-12),
                    "{name} {v}"
                );
            }
            let importance = a.importance(&marked);
            assert_eq!(importance[v], 0.0, "{name}: variable {v} has importance");
        }
    }
}

/// Relative difference, for the largest-difference report of `nodes_match_rpart_print_and_summary`.
fn rel(a: f64, b: f64) -> f64 {
    if a == b {
        0.0
    } else {
        (a - b).abs() / b.abs().max(f64::MIN_POSITIVE)
    }
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().map(|s| s.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

/// A rule of results.json against one row of rpart's `splits` (as the R script writes it).
fn same_rule(rule: &SplitRule, r: &Value, what: &str) {
    match rule {
        SplitRule::Levels { left, right } => {
            assert_eq!(left, &strings(&r["left"]), "{what}: levels going left");
            assert_eq!(right, &strings(&r["right"]), "{what}: levels going right");
        }
        SplitRule::Threshold { cut, below_left } => {
            assert!(
                rel(*cut, r["cut"].as_f64().unwrap()) < 1e-12,
                "{what}: cut {cut} vs {}",
                r["cut"]
            );
            assert_eq!(*below_left, r["below_left"].as_bool().unwrap(), "{what}");
        }
    }
}

/// results.json's tree, node by node, beside rpart's `frame` (n, weight, deviance, mean) and
/// `splits` (primary split with its `improve`, surrogates with `agree` and `adj`), to 1e-9
/// relative. rpart's `improve` for anova is the deviance drop over the node's deviance.
#[test]
fn nodes_match_rpart_print_and_summary() {
    let mut worst: BTreeMap<&str, f64> = BTreeMap::new();
    let mut note = |k: &'static str, a: f64, b: f64, what: &str| {
        let d = rel(a, b);
        assert!(d < 1e-9, "{what}: {k} {a} vs {b}");
        let e = worst.entry(k).or_insert(0.0);
        *e = e.max(d);
    };
    let mut surrogates = 0;
    for name in CASES {
        let case = load(name);
        let t = tree_result(&case.table, &LnobOptions::default(), false);
        let r_nodes = case.json["nodes"].as_array().unwrap();
        assert_eq!(t.nodes.len(), r_nodes.len(), "{name}: nodes");
        // rpart's frame lists nodes depth first, results.json by node number.
        let by_id: BTreeMap<u64, &Value> = r_nodes
            .iter()
            .map(|r| (r["node"].as_u64().unwrap(), r))
            .collect();
        for node in &t.nodes {
            let what = format!("{name} node {}", node.node);
            let r = by_id[&node.node];
            assert_eq!(node.n, r["n"].as_u64().unwrap(), "{what}: n");
            note("weight", node.weight, r["weight"].as_f64().unwrap(), &what);
            note(
                "deviance",
                node.deviance,
                r["deviance"].as_f64().unwrap(),
                &what,
            );
            note("rate", node.rate, r["rate"].as_f64().unwrap(), &what);
            let Some(split) = &node.split else {
                assert!(r.get("split").is_none(), "{what}: rpart splits it");
                continue;
            };
            let rs = &r["split"];
            assert_eq!(split.circumstance, rs["var"].as_str().unwrap(), "{what}");
            same_rule(&split.rule, rs, &what);
            note(
                "improve",
                split.improve,
                rs["improve"].as_f64().unwrap(),
                &what,
            );
            let drop = rs["improve"].as_f64().unwrap() * r["deviance"].as_f64().unwrap();
            note("improvement", split.improvement, drop, &what);
            let r_sur = r["surrogates"].as_array().unwrap();
            let names: Vec<&str> = split
                .surrogates
                .iter()
                .map(|s| s.circumstance.as_str())
                .collect();
            let r_names: Vec<&str> = r_sur.iter().map(|s| s["var"].as_str().unwrap()).collect();
            assert_eq!(names, r_names, "{what}: surrogates");
            for (s, rs) in split.surrogates.iter().zip(r_sur) {
                let what = format!("{what} surrogate {}", s.circumstance);
                same_rule(&s.rule, rs, &what);
                note("agree", s.agreement, rs["agree"].as_f64().unwrap(), &what);
                note(
                    "adj",
                    s.adjusted_agreement,
                    rs["adj"].as_f64().unwrap(),
                    &what,
                );
                surrogates += 1;
            }
        }
    }
    assert!(
        surrogates >= 5,
        "the fixtures hold only {surrogates} surrogates"
    );
    eprintln!("largest relative difference to rpart ({surrogates} surrogates): {worst:?}");
}
