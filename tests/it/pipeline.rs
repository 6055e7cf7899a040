//! End to end: the demo spec runs, twice gives byte-identical folders, `verify` catches a one-byte
//! change in an input or an output, a changed input is refused, and the generator is pinned.

use std::path::{Path, PathBuf};

use vnr_brief::app::pipeline::{self, RunOptions};
use vnr_brief::io::inputs;
use vnr_brief::publish::manifest;
use vnr_brief::spec;

/// A scratch copy of the demo spec, its lock and data (so tests can change them freely).
fn demo_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("specs");
    std::fs::create_dir(dir.path().join("data")).unwrap();
    for f in [
        "demo.toml",
        "demo.lock",
        "data/nusantara_2021.parquet",
        "data/nusantara_2024.parquet",
    ] {
        std::fs::copy(root.join(f), dir.path().join(f)).unwrap();
    }
    let spec = dir.path().join("demo.toml");
    (dir, spec)
}

fn run(spec: &Path, out: &Path) {
    pipeline::run(
        spec,
        &RunOptions {
            out: Some(out.to_path_buf()),
            templates: None,
            formats: None,
        },
    )
    .unwrap();
}

#[test]
fn demo_runs_and_is_byte_identical_twice() {
    let (dir, spec) = demo_copy();
    let (a, b) = (dir.path().join("out_a"), dir.path().join("out_b"));
    run(&spec, &a);
    run(&spec, &b);
    let files_a = manifest::list_files(&a).unwrap();
    let files_b = manifest::list_files(&b).unwrap();
    assert_eq!(files_a, files_b);
    for expected in [
        "brief.md",
        "brief.typ",
        "brief.pdf",
        "results.json",
        "manifest.json",
        "charts/indicator_rates.svg",
        "charts/indicator_rates.png",
        "charts/indicator_rates.csv",
        "charts/dindex.svg",
        "charts/poverty_scenarios.svg",
        "tables/indicators.csv",
    ] {
        assert!(files_a.iter().any(|f| f == expected), "missing {expected}");
    }
    // The manifest too: its paths are relative to the brief folder, and both are siblings.
    for f in &files_a {
        let (x, y) = (
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
        );
        assert!(x == y, "{f} differs between two runs");
    }
    // The PDF is compiled in-process from the Typst brief, charts embedded.
    let pdf = std::fs::read(a.join("brief.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF-"), "brief.pdf is not a PDF");
    assert!(pdf.len() > 200_000, "brief.pdf is only {} bytes", pdf.len());
    // Every file of the brief is listed in the manifest with its hash.
    let manifest = std::fs::read_to_string(a.join("manifest.json")).unwrap();
    for f in files_a.iter().filter(|f| *f != "manifest.json") {
        assert!(
            manifest.contains(&format!("\"path\": \"{f}\"")),
            "{f} is not in the manifest"
        );
    }
    // A run into the same folder again replaces it and gives the same manifest, byte for byte.
    let before = std::fs::read(a.join("manifest.json")).unwrap();
    run(&spec, &a);
    assert_eq!(before, std::fs::read(a.join("manifest.json")).unwrap());
    // No temporary folders are left beside the output.
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn demo_results_carry_real_numbers() {
    let (dir, spec) = demo_copy();
    let out = dir.path().join("out");
    run(&spec, &out);
    let results: vnr_brief::results::Results =
        serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap();
    assert_eq!(results.waves.len(), 2);
    let latest = results.latest();
    assert_eq!(latest.id, "2024");
    assert!(latest.indicators.len() >= 8);
    for ind in &latest.indicators {
        assert!(
            ind.rate > 0.0 && ind.rate < 1.0,
            "{}: rate {}",
            ind.id,
            ind.rate
        );
        assert!(
            ind.inequality.d > 0.0 && ind.inequality.d < 1.0,
            "{}: D",
            ind.id
        );
        let sum: f64 = ind.inequality.shapley.iter().map(|s| s.value).sum();
        assert!(
            (sum - ind.inequality.d).abs() < 1e-12,
            "{}: Shapley sums to D",
            ind.id
        );
        // Group rates average back to the overall rate.
        for c in &ind.by_circumstance {
            let avg: f64 = c.groups.iter().map(|g| g.weight_share * g.rate).sum();
            assert!(
                (avg - ind.rate).abs() < 1e-12,
                "{} by {}",
                ind.id,
                c.circumstance
            );
        }
        assert!(ind.tree.furthest_behind.is_some(), "{}: tree grown", ind.id);
        assert_eq!(ind.regions.len(), 5, "{}: one result per region", ind.id);
    }
    let spot = results.spot.as_ref().unwrap();
    let base = spot.baseline.poverty[0].headcount;
    assert!(base > 0.02 && base < 0.5, "baseline headcount {base}");
    for sc in &spot.scenarios {
        let after = sc.after.poverty[0].headcount;
        assert!(
            after < base,
            "{}: transfers reduce poverty ({after} vs {base})",
            sc.id
        );
        assert!(
            sc.cost_pct_gdp > 0.0 && sc.cost_pct_gdp < 5.0,
            "{}: cost {}",
            sc.id,
            sc.cost_pct_gdp
        );
    }
    // The brief has every VNR-mapped section.
    let md = std::fs::read_to_string(out.join("brief.md")).unwrap();
    for heading in [
        "## Highlights",
        "## Data and methods",
        "## Who is furthest behind",
        "## Progress on Goals and targets",
        "## Social protection scenarios",
        "## Priorities",
        "## Statistical annex",
    ] {
        assert!(md.contains(heading), "brief.md lacks {heading}");
    }
}

#[test]
fn verify_detects_a_one_byte_change_in_an_output_and_in_an_input() {
    let (dir, spec) = demo_copy();
    let out = dir.path().join("out");
    run(&spec, &out);
    pipeline::verify(&out, false).unwrap();

    let brief = out.join("brief.md");
    let original = std::fs::read(&brief).unwrap();
    let mut changed = original.clone();
    changed[10] ^= 1;
    std::fs::write(&brief, &changed).unwrap();
    let err = pipeline::verify(&out, false).unwrap_err();
    assert_eq!(err.exit_code(), 8);
    assert!(err.to_string().contains("output brief.md: sha256"), "{err}");
    std::fs::write(&brief, &original).unwrap();
    pipeline::verify(&out, false).unwrap();

    let data = dir.path().join("data/nusantara_2021.parquet");
    let mut bytes = std::fs::read(&data).unwrap();
    let last = bytes.len() - 100;
    bytes[last] ^= 1;
    std::fs::write(&data, &bytes).unwrap();
    let err = pipeline::verify(&out, false).unwrap_err().to_string();
    assert!(
        err.contains("input ../data/nusantara_2021.parquet: sha256"),
        "{err}"
    );
}

#[test]
fn verify_rerun_confirms_identical_outputs() {
    let (dir, spec) = demo_copy();
    let out = dir.path().join("out");
    run(&spec, &out);
    let report = pipeline::verify(&out, true).unwrap();
    assert!(report.contains("byte-identical"), "{report}");
}

#[test]
fn changed_input_is_refused_until_relocked() {
    let (dir, spec_path) = demo_copy();
    let data = dir.path().join("data/nusantara_2024.parquet");
    let other = dir.path().join("data/nusantara_2021.parquet");
    std::fs::copy(&other, &data).unwrap();
    let out = dir.path().join("out");
    let err = pipeline::run(
        &spec_path,
        &RunOptions {
            out: Some(out.clone()),
            templates: None,
            formats: None,
        },
    )
    .unwrap_err();
    assert_eq!(err.exit_code(), 4);
    let msg = err.to_string();
    assert!(
        msg.contains("nusantara_2024.parquet: checksum mismatch"),
        "{msg}"
    );
    assert!(
        msg.contains("e6538c0ebfa3c371507a26274ca067ffd6c3823d268a87aff94f3494b4b6b607"),
        "{msg}"
    );
    assert!(msg.contains("vnr-brief lock"), "{msg}");
    assert!(!out.exists(), "nothing written on a refused run");

    // Re-locking records the new hash and the run goes through.
    let loaded = spec::load(&spec_path).unwrap();
    inputs::write_lock(&loaded).unwrap();
    run(&spec_path, &out);
}

#[test]
fn results_json_rerenders_the_same_brief() {
    let (dir, spec) = demo_copy();
    let out = dir.path().join("out");
    run(&spec, &out);
    let again = dir.path().join("again");
    pipeline::rerender(&out.join("results.json"), &again, None).unwrap();
    for f in [
        "brief.md",
        "brief.typ",
        "charts/dindex.svg",
        "charts/dindex.png",
    ] {
        assert_eq!(
            std::fs::read(out.join(f)).unwrap(),
            std::fs::read(again.join(f)).unwrap(),
            "{f}"
        );
    }
}

#[test]
fn synth_is_deterministic_and_pinned() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.csv"), dir.path().join("b.csv"));
    vnr_brief::app::cli::write_synth(&a, 200, 7, 1).unwrap();
    vnr_brief::app::cli::write_synth(&b, 200, 7, 1).unwrap();
    let (x, y) = (std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    assert_eq!(x, y);
    // Changing the generator changes this hash: update it deliberately, with a note why.
    assert_eq!(
        inputs::sha256_hex(&x),
        "034f7e020209e31f39119c2a1acfc436ba67e95877567c11902b18ac452149b1"
    );
    let c = dir.path().join("c.csv");
    vnr_brief::app::cli::write_synth(&c, 200, 8, 1).unwrap();
    assert_ne!(std::fs::read(&c).unwrap(), x);
}

/// The annex CSV files carry the same numbers as results.json, with consistent derived columns.
#[test]
fn annex_tables_agree_with_results() {
    let (dir, spec) = demo_copy();
    let out = dir.path().join("out");
    run(&spec, &out);
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap();
    let read = |name: &str| -> Vec<std::collections::BTreeMap<String, String>> {
        let text = std::fs::read_to_string(out.join("tables").join(name)).unwrap();
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        lines
            .map(|l| {
                let cells: Vec<&str> = l.split(',').collect();
                assert_eq!(cells.len(), header.len(), "{name}: {l}");
                header
                    .iter()
                    .zip(cells)
                    .map(|(h, c)| (h.to_string(), c.to_string()))
                    .collect()
            })
            .collect()
    };
    let f = |row: &std::collections::BTreeMap<String, String>, k: &str| -> f64 {
        row[k]
            .parse()
            .unwrap_or_else(|_| panic!("{k} = {:?}", row[k]))
    };
    // Table 2: change = latest − first; CI = change ± 1.96·SE; SE² = SE²(first) + SE²(latest).
    let progress = read("progress.csv");
    assert_eq!(progress.len(), 14, "13 indicators and poverty");
    for row in &progress {
        let change = f(row, "rate_latest") - f(row, "rate_first");
        assert!((f(row, "change") - change).abs() < 1e-15, "{row:?}");
        let se = (f(row, "se_first").powi(2) + f(row, "se_latest").powi(2)).sqrt();
        assert!((f(row, "change_se") - se).abs() < 1e-15);
        let half = 1.959963984540054 * se;
        assert!((f(row, "change_ci_low") - (change - half)).abs() < 1e-12);
        assert!((f(row, "change_ci_high") - (change + half)).abs() < 1e-12);
    }
    // The test of a change of furthest-behind group, as in results.json.
    let tested: Vec<_> = progress
        .iter()
        .filter(|r| !r["behind_difference"].is_empty())
        .collect();
    assert_eq!(
        tested.len(),
        8,
        "the demo's 8 indicators whose group is not the same"
    );
    for row in tested {
        let entry = results["summary"]["progress"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["indicator"] == row["indicator"].as_str())
            .unwrap();
        let test = &entry["furthest_behind_test"];
        assert_eq!(
            row["behind_relation"],
            entry["furthest_behind_relation"].as_str().unwrap()
        );
        let diff = test["latest_rate"].as_f64().unwrap() - f(row, "behind_earlier_rate_latest");
        assert!(
            (f(row, "behind_difference") - diff).abs() < 1e-15,
            "{row:?}"
        );
        let half = 1.959963984540054 * f(row, "behind_difference_se");
        assert!((f(row, "behind_difference_ci_low") - (diff - half)).abs() < 1e-12);
        let outside =
            f(row, "behind_difference_ci_low") > 0.0 || f(row, "behind_difference_ci_high") < 0.0;
        assert_eq!(row["behind_significant"], outside.to_string());
    }
    // Rate intervals are clipped to [0, 1] and hold the rate.
    for row in read("indicators.csv") {
        let (lo, rate, hi) = (f(&row, "ci_low"), f(&row, "rate"), f(&row, "ci_high"));
        assert!(
            0.0 <= lo && lo <= rate && rate <= hi && hi <= 1.0,
            "{row:?}"
        );
    }
    // Table 1: D and HOI as in results.json, for every wave and indicator.
    let inequality = read("inequality.csv");
    let mut checked = 0;
    for w in results["waves"].as_array().unwrap() {
        for ind in w["indicators"].as_array().unwrap() {
            let row = inequality
                .iter()
                .find(|r| {
                    r["wave"] == w["id"].as_str().unwrap()
                        && r["indicator"] == ind["id"].as_str().unwrap()
                })
                .unwrap();
            // serde_json's default float parser may differ from Rust's in the last bit.
            for k in ["d", "hoi", "d_se"] {
                let want = ind["inequality"][k].as_f64().unwrap();
                assert!(
                    (f(row, k) - want).abs() <= 1e-15 * want.abs(),
                    "{k}: {row:?}"
                );
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 26);
    // Highlights: recurring circumstances counted independently from the furthest-behind paths.
    let latest = results["waves"].as_array().unwrap().last().unwrap();
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    for ind in latest["indicators"].as_array().unwrap() {
        let conds = ind["tree"]["furthest_behind"]["group"]["conditions"]
            .as_array()
            .unwrap();
        let set: std::collections::BTreeSet<&str> = conds
            .iter()
            .map(|c| c["circumstance"].as_str().unwrap())
            .collect();
        for c in set {
            *counts.entry(c.to_string()).or_default() += 1;
        }
    }
    let recurring = results["summary"]["recurring_circumstances"]
        .as_array()
        .unwrap();
    assert_eq!(recurring.len(), counts.len());
    for r in recurring {
        let n = r["indicators"].as_array().unwrap().len();
        assert_eq!(n, counts[r["circumstance"].as_str().unwrap()]);
    }
    let top = recurring[0]["indicators"].as_array().unwrap().len();
    assert_eq!(top, *counts.values().max().unwrap());
    assert_eq!(
        recurring[0]["circumstance"], "wealth",
        "wealth recurs most in the demo"
    );
    let gaps = results["summary"]["largest_gaps"].as_array().unwrap();
    assert!(gaps
        .windows(2)
        .all(|w| w[0]["gap"].as_f64() >= w[1]["gap"].as_f64()));
    // Every table the annex lists exists, with the SHA-256 the brief prints.
    let brief = std::fs::read_to_string(out.join("brief.md")).unwrap();
    // Highlights from the summary, each citing its source; progress grouped by Goal.
    assert!(brief.contains(
        "- **Wealth** defines the group furthest behind for every one of the 13 indicators."
    ));
    let gap = &results["summary"]["largest_gaps"][0];
    assert!(brief.contains(&format!(
        "The largest gap is in **{}**",
        gap["label"].as_str().unwrap()
    )));
    let goal7 = brief
        .find("**Goal 7: Affordable and clean energy**")
        .expect("Goal 7 heading");
    let goal6 = brief
        .find("**Goal 6: Clean water and sanitation**")
        .expect("Goal 6 heading");
    let electricity = brief
        .find("- **Access to electricity** (SDG 7.1.1)")
        .unwrap();
    assert!(
        goal6 < goal7 && goal7 < electricity,
        "Goals in order, indicators under their Goal"
    );
    for name in [
        "indicators",
        "inequality",
        "shapley",
        "tree_leaves",
        "regions",
        "progress",
        "scenarios",
        "poverty_lines",
        "deciles",
        "areas",
        "reach",
        "not_poor",
        "projection",
    ] {
        let bytes = std::fs::read(out.join(format!("tables/{name}.csv"))).unwrap();
        assert!(
            brief.contains(&inputs::sha256_hex(&bytes)),
            "{name}.csv hash not in the brief"
        );
    }
}
/// The demo with `language` set and a hostile circumstance label (Typst and Markdown markup).
fn demo_in(language: &str) -> (tempfile::TempDir, PathBuf) {
    let (dir, spec) = demo_copy();
    let text = std::fs::read_to_string(&spec).unwrap();
    assert!(text.contains("language = \"en\"") && text.contains("label = \"Residence\""));
    let text = text
        .replace("language = \"en\"", &format!("language = \"{language}\""))
        .replace("label = \"Residence\"", &format!("label = \"{HOSTILE}\""))
        // The Indonesian name of the circumstance ([brief.labels.id]) is hostile too.
        .replace(
            "residence = \"Tempat tinggal\"",
            &format!("residence = \"{HOSTILE}\""),
        );
    std::fs::write(&spec, text).unwrap();
    let out = dir.path().join("out");
    run(&spec, &out);
    (dir, out)
}

const HOSTILE: &str = "#set page(width: 1cm) $x$ *_<a>";
const HOSTILE_ESCAPED: &str = r"\#set page(width: 1cm) \$x\$ \*\_\<a\>";

/// The hostile label appears, and only escaped, in both formats.
fn assert_label_escaped(md: &str, typ: &str) {
    for (name, text) in [("brief.md", md), ("brief.typ", typ)] {
        assert!(text.contains(HOSTILE_ESCAPED), "{name}: label missing");
        assert_eq!(
            text.matches("set page(width: 1cm)").count(),
            text.matches(HOSTILE_ESCAPED).count(),
            "{name}: the label appears unescaped"
        );
        assert!(
            !text.contains(HOSTILE),
            "{name}: the label appears unescaped"
        );
    }
}

#[test]
fn demo_brief_in_bahasa_indonesia() {
    let (_dir, out) = demo_in("id");
    let md = std::fs::read_to_string(out.join("brief.md")).unwrap();
    let typ = std::fs::read_to_string(out.join("brief.typ")).unwrap();
    for heading in [
        "## Temuan utama",
        "## Data dan metode",
        "## Siapa yang paling tertinggal",
        "## Kemajuan Tujuan dan target",
        "## Skenario perlindungan sosial",
        "## Prioritas",
        "## Lampiran statistik",
    ] {
        assert!(md.contains(heading), "brief.md lacks {heading}");
        let typ_heading = heading.replace("## ", "== ");
        assert!(typ.contains(&typ_heading), "brief.typ lacks {typ_heading}");
    }
    for english in [
        "Highlights",
        "Data and methods",
        "Who is furthest behind",
        "Progress on Goals",
        "Social protection scenarios",
        "Priorities",
        "Statistical annex",
        "percentage points",
        "Table ",
        "VNR chapter",
    ] {
        assert!(!md.contains(english), "brief.md still has \"{english}\"");
        assert!(!typ.contains(english), "brief.typ still has \"{english}\"");
    }
    // Numbers with a decimal comma and a thousands dot; none with a decimal point.
    let results: vnr_brief::results::Results =
        serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap();
    let electricity = &results.latest().indicators[0];
    let rate = format!("{:.1}", 100.0 * electricity.rate).replace('.', ",");
    // Named as the spec's [brief.labels.id] names it (results.json keeps the spec's label).
    assert_eq!(electricity.label, "Access to electricity");
    let line = format!("*Akses listrik* — {rate}% (GB ");
    assert!(md.contains(&line), "brief.md lacks {line}");
    assert!(typ.contains(&format!("_Akses listrik_ — {rate}% (GB ")));
    assert!(md.contains("n populasi = 8.000"), "thousands dot");
    assert!(md.contains("\\$3,00 per hari (PPP 2021)"));
    assert!(
        typ.contains("lang: \"id\")"),
        "Typst hyphenates as Indonesian"
    );
    // results.json and the CSV files keep the machine format.
    assert!(results.brief.language == "id");
    let csv = std::fs::read_to_string(out.join("tables/indicators.csv")).unwrap();
    let row = format!(
        "{},{},{},households,all,all,{},{},1,{},",
        results.latest().id,
        electricity.id,
        electricity.sdg,
        electricity.population_n,
        electricity.n,
        electricity.rate
    );
    assert!(csv.contains(&row), "indicators.csv lacks {row}");
    // Charts speak Indonesian too.
    let svg = std::fs::read_to_string(out.join("charts/cost_projection.svg")).unwrap();
    assert!(svg.contains("Proyeksi biaya setiap skenario") && svg.contains("Sumber: "));
    assert!(!svg.contains("Projected cost"));
    let tree = std::fs::read_to_string(out.join("charts/tree_electricity.svg")).unwrap();
    // Electricity is a household indicator: its boxes give shares of households.
    assert!(tree.contains("% rumah tangga") && !tree.contains("of pop."));
    assert!(!tree.contains("% penduduk"), "households, not persons");
    // Group labels composed by the analysis speak Indonesian too; age takes whole values, so
    // rpart's split at 26.5 reads as 27 or more / 26 or less. (The circumstance label "Umur"
    // is the spec's [brief.labels.id] name of "age".)
    assert!(
        md.contains("Umur: 27 atau lebih") && md.contains("Umur: 26 atau kurang"),
        "numeric tree conditions in Indonesian"
    );
    assert!(!md.contains("Umur: 26,5"), "no half-year thresholds");
    assert!(!md.contains(" or more") && !md.contains("Everyone"));
    assert_label_escaped(&md, &typ);
}

#[test]
fn demo_brief_in_english_escapes_a_hostile_label() {
    let (_dir, out) = demo_in("en");
    let md = std::fs::read_to_string(out.join("brief.md")).unwrap();
    let typ = std::fs::read_to_string(out.join("brief.typ")).unwrap();
    assert!(md.contains("## Highlights") && typ.contains("== Highlights"));
    assert!(md.contains("n = 8,000") && !md.contains("Temuan utama"));
    assert!(md.contains("\\$3.00 a day (2021 PPP)"));
    assert_label_escaped(&md, &typ);
}

#[test]
fn charts_and_tables_say_what_they_show() {
    let (dir, spec) = demo_copy();
    let out = dir.path().join("out");
    run(&spec, &out);
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap();
    // The rate chart's data: each bar with the logit 95% interval the tables print.
    let csv = std::fs::read_to_string(out.join("charts/indicator_rates.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("row,2021,2021 lo95,2021 hi95,2024,2024 lo95,2024 hi95")
    );
    let latest = results["waves"][1]["indicators"].as_array().unwrap();
    for (line, ind) in lines.zip(latest) {
        let cells: Vec<f64> = line
            .rsplitn(4, ',')
            .take(3)
            .map(|c| c.parse().unwrap())
            .collect();
        let (rate, se, n) = (
            ind["rate"].as_f64().unwrap(),
            ind["rate_se"].as_f64().unwrap(),
            ind["n"].as_u64().unwrap(),
        );
        let (lo, hi) = vnr_brief::estimate::variance::proportion_ci(rate, se, n);
        assert!((cells[2] - 100.0 * rate).abs() < 1e-12, "{line}");
        assert!((cells[1] - 100.0 * lo).abs() < 1e-12, "{line}");
        assert!((cells[0] - 100.0 * hi).abs() < 1e-12, "{line}");
        assert!(cells[1] < cells[2] && cells[2] < cells[0], "{line}");
    }
    // Tables are numbered from 1 in the order they appear, every number once.
    let brief = std::fs::read_to_string(out.join("brief.md")).unwrap();
    let numbers: Vec<u32> = brief
        .lines()
        .filter_map(|l| l.strip_prefix("**Table "))
        .filter_map(|l| l.split('.').next()?.parse().ok())
        .collect();
    assert_eq!(numbers, (1..=10).collect::<Vec<u32>>(), "{numbers:?}");
    // Whole-number circumstances read in whole numbers: no tree says "26.5 or more" for an age.
    let trees: String = (0..latest.len())
        .map(|i| latest[i]["id"].as_str().unwrap())
        .filter_map(|id| std::fs::read_to_string(out.join(format!("charts/tree_{id}.csv"))).ok())
        .collect();
    assert!(trees.contains("Age: 43 or more"), "{trees}");
    assert!(
        !trees.contains(".5 or more") && !trees.contains("under "),
        "{trees}"
    );
}

/// `tree = false` on a circumstance: it splits no tree and has no importance in any indicator,
/// yet keeps its Shapley part of D (ESCAP's treatment of region).
#[test]
fn a_circumstance_for_d_only_splits_no_tree_but_keeps_its_shapley_part() {
    let case = crate::common::case::Case::csv()
        .edit(
            "formats = [\"md\", \"typ\", \"pdf\", \"xlsx\"]",
            "formats = [\"md\"]",
        )
        .edit("id = \"wealth\"\n", "id = \"wealth\"\ntree = false\n");
    let r = case.lock_and_run_results();
    let mut shapley_parts = 0;
    for w in r["waves"].as_array().unwrap() {
        for ind in w["indicators"].as_array().unwrap() {
            let text = ind["tree"]["leaves"].to_string();
            assert!(
                !text.contains("\"circumstance\":\"wealth\""),
                "{}: wealth splits the tree",
                ind["id"]
            );
            for (id, value) in ind["tree"]["importance"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| (&p[0], &p[1]))
            {
                assert!(
                    id != "wealth" || value.as_f64() == Some(0.0),
                    "{}: importance {value}",
                    ind["id"]
                );
            }
            let parts = ind["inequality"]["shapley"].as_array().unwrap();
            if let Some(p) = parts.iter().find(|p| p["circumstance"] == "wealth") {
                assert!(p["value"].as_f64().unwrap() > 0.0, "{p}");
                shapley_parts += 1;
            }
        }
    }
    assert!(
        shapley_parts > 10,
        "wealth keeps its part of D: {shapley_parts}"
    );
}

/// `run --format` writes the formats it names instead of the spec's, records them in
/// results.json and on the manifest's reproduce line, and `verify --rerun` writes the same ones.
#[test]
fn the_format_flag_replaces_the_specs_formats_and_verify_reruns_with_it() {
    use clap::Parser;
    use vnr_brief::app::cli::{self, Cli, Command};
    use vnr_brief::spec::Format;
    let case = crate::common::case::Case::csv();
    case.lock();
    let out = case.path("out");
    cli::execute(Command::Run {
        spec: case.spec_path(),
        out: Some(out.clone()),
        templates: None,
        formats: vec![Format::Md, Format::Xlsx],
    })
    .unwrap();
    assert!(out.join("brief.md").exists() && out.join("annex.xlsx").exists());
    assert!(!out.join("brief.pdf").exists() && !out.join("brief.typ").exists());
    let read = |f: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(out.join(f)).unwrap()).unwrap()
    };
    assert_eq!(
        read("results.json")["brief"]["formats"],
        serde_json::json!(["md", "xlsx"])
    );
    let line = read("manifest.json")["reproduce"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(line.contains("--format md,xlsx"), "{line}");
    pipeline::verify(&out, true).unwrap();
    let err =
        Cli::try_parse_from(["vnr-brief", "run", "x.toml", "--format", "md,rtf"]).unwrap_err();
    assert!(err.to_string().contains("unknown format \"rtf\""), "{err}");
}
