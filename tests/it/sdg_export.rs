//! The SDG platforms' files: `sdg/sdmx.csv` (SDMX-CSV, SDG global DSD) and
//! `sdg/opensdg/indicator_<id>.csv`, read back against the annex of the same run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;
use vnr_brief::app::pipeline::{self, RunOptions};
use vnr_brief::io::inputs;

use crate::common::case::{assert_error, Case, DEMO};

/// The demo spec, edited, on the 150-household fixture waves, with the SDG formats.
fn run(edit: impl Fn(String) -> String, outs: &[&str]) -> (tempfile::TempDir, Vec<PathBuf>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("data")).unwrap();
    for w in ["nusantara_2021", "nusantara_2024"] {
        std::fs::copy(
            root.join(format!("tests/fixtures/stata/{w}.dta")),
            dir.path().join(format!("data/{w}.dta")),
        )
        .unwrap();
    }
    let demo = DEMO.replace(".parquet\"", ".dta\"").replace(
        "formats = [\"md\", \"typ\", \"pdf\", \"xlsx\"]",
        "formats = [\"md\", \"sdmx\", \"opensdg\"]",
    );
    let spec = dir.path().join("s.toml");
    std::fs::write(&spec, edit(demo)).unwrap();
    inputs::write_lock(&vnr_brief::spec::load(&spec).unwrap()).unwrap();
    let mut folders = Vec::new();
    for name in outs {
        let out = dir.path().join(name);
        let opts = RunOptions {
            out: Some(out.clone()),
            ..RunOptions::default()
        };
        pipeline::run(&spec, &opts).unwrap_or_else(|e| panic!("{e}"));
        folders.push(out);
    }
    (dir, folders)
}

/// A CSV file as its header and rows of named fields.
fn read_csv(path: &Path) -> (Vec<String>, Vec<BTreeMap<String, String>>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|rec| {
            let rec = rec.unwrap();
            header
                .iter()
                .cloned()
                .zip(rec.iter().map(String::from))
                .collect()
        })
        .collect();
    (header, rows)
}

fn results(out: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap()
}

/// The dimensions of the SDG DSD 1.14, in its order (DataStructure IAEG-SDGs:SDG(1.14)).
const DSD_DIMENSIONS: [&str; 15] = [
    "FREQ",
    "REPORTING_TYPE",
    "SERIES",
    "REF_AREA",
    "SEX",
    "AGE",
    "URBANISATION",
    "INCOME_WEALTH_QUANTILE",
    "EDUCATION_LEV",
    "OCCUPATION",
    "CUST_BREAKDOWN",
    "COMPOSITE_BREAKDOWN",
    "DISABILITY_STATUS",
    "ACTIVITY",
    "PRODUCT",
];

/// The annex row (tables/indicators.csv) an SDMX row states: its wave, indicator, circumstance
/// and group label, found through results.json's coding.
fn annex_key(r: &Value, row: &BTreeMap<String, String>) -> (String, String, String, String) {
    let coding = &r["sdg_export"];
    let ind = coding["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["series"].as_str() == Some(&row["SERIES"]))
        .unwrap_or_else(|| panic!("series {} not in the coding", row["SERIES"]));
    let id = ind["indicator"].as_str().unwrap();
    let wave = r["waves"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["year"].as_i64() == row["TIME_PERIOD"].parse::<i64>().ok())
        .unwrap();
    let result = wave["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .unwrap();
    let fixed = ind["fixed"].as_object().unwrap();
    let broken: Vec<&str> = DSD_DIMENSIONS[4..]
        .iter()
        .copied()
        .filter(|d| row[*d] != "_T" && fixed.get(*d).and_then(|c| c.as_str()) != Some(&row[*d]))
        .collect();
    let (circumstance, group) = match broken.as_slice() {
        [] => ("all".to_string(), "all".to_string()),
        [d] => {
            let c = coding["circumstances"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| {
                    c["dimension"].as_str() == Some(d)
                        && result["by_circumstance"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .any(|b| b["circumstance"] == c["circumstance"])
                })
                .unwrap();
            let level = c["codes"]
                .as_object()
                .unwrap()
                .iter()
                .find(|(_, code)| code.as_str() == Some(&row[*d]))
                .unwrap()
                .0;
            let rates = result["by_circumstance"]
                .as_array()
                .unwrap()
                .iter()
                .find(|b| b["circumstance"] == c["circumstance"])
                .unwrap();
            let g = rates["groups"]
                .as_array()
                .unwrap()
                .iter()
                .find(|g| g["level"] == level.as_str())
                .unwrap();
            (
                c["circumstance"].as_str().unwrap().to_string(),
                g["label"].as_str().unwrap().to_string(),
            )
        }
        more => panic!("a one-way breakdown codes one dimension, found {more:?}"),
    };
    let wave_id = wave["id"].as_str().unwrap().to_string();
    (wave_id, id.to_string(), circumstance, group)
}

type Annex = BTreeMap<(String, String, String, String), BTreeMap<String, String>>;

fn annex(out: &Path) -> Annex {
    let (_, rows) = read_csv(&out.join("tables/indicators.csv"));
    rows.into_iter()
        .map(|r| {
            let key = (
                r["wave"].clone(),
                r["indicator"].clone(),
                r["circumstance"].clone(),
                r["group"].clone(),
            );
            (key, r)
        })
        .collect()
}

/// A published percentage against the annex's proportion, to the printed precision (2 places).
fn assert_pct(published: &str, annex: &str, what: &str) {
    let p: f64 = published.parse().unwrap();
    let a: f64 = annex.parse().unwrap();
    assert!(
        (p - 100.0 * a).abs() <= 0.005 + 1e-9,
        "{what}: published {published}, annex {annex}"
    );
    assert_eq!(
        published.split('.').nth(1).map(str::len),
        Some(2),
        "{what}: {published}"
    );
}

#[test]
fn sdmx_rows_are_the_annex_estimates_and_repeat_byte_for_byte() {
    let (_dir, outs) = run(|s| s, &["a", "b"]);
    let (a, b) = (&outs[0], &outs[1]);
    let r = results(a);
    let (header, rows) = read_csv(&a.join("sdg/sdmx.csv"));
    let mut expected = vec!["DATAFLOW"];
    expected.extend(DSD_DIMENSIONS);
    expected.extend([
        "TIME_PERIOD",
        "OBS_VALUE",
        "UNIT_MEASURE",
        "UNIT_MULT",
        "OBS_STATUS",
    ]);
    expected.extend(["NATURE", "LOWER_BOUND", "UPPER_BOUND", "COMMENT_OBS"]);
    assert_eq!(header, expected);
    let annex = annex(a);
    assert!(rows.len() > 40, "{} rows", rows.len());
    for row in &rows {
        let key = annex_key(&r, row);
        let at = format!("{key:?}");
        let t = annex
            .get(&key)
            .unwrap_or_else(|| panic!("no annex row {at}"));
        assert_pct(&row["OBS_VALUE"], &t["rate"], &at);
        assert_pct(&row["LOWER_BOUND"], &t["ci_low"], &at);
        assert_pct(&row["UPPER_BOUND"], &t["ci_high"], &at);
        assert_eq!(row["REF_AREA"], "XNU");
        // Reliability: U exactly where the annex flags the estimate (few-record cells are
        // suppressed by default, so only a high CV remains).
        assert_eq!(row["OBS_STATUS"] == "U", !t["flag"].is_empty(), "{at}");
        assert!(
            row["COMMENT_OBS"].ends_with(&format!("n={}", t["n"])),
            "{at}"
        );
    }
    // The series' own population codes: stunting is AGE Y0T4, contraception women 15-49.
    let of = |series: &'static str| rows.iter().filter(move |r| r["SERIES"] == series);
    assert!(of("SH_STA_STNT").all(|r| r["AGE"] == "Y0T4"));
    assert!(of("SH_FPL_MTMM").all(|r| r["SEX"] == "F" && r["AGE"] == "Y15T49"));
    assert!(of("IT_USE_II99").all(|r| r["UNIT_MEASURE"] == "PER_100_POP"));
    // Skilled birth takes no URBANISATION breakdown in the DSD's constraints.
    assert!(of("SH_STA_BRTC").all(|r| r["URBANISATION"] == "_T"));
    assert!(of("FB_BNK_ACCSS").any(|r| r["SEX"] == "F"));
    assert!(of("FB_BNK_ACCSS").any(|r| r["INCOME_WEALTH_QUANTILE"] == "Q1"));
    // National proxies and household rates of population series are not in the file: listed.
    let series: Vec<&str> = rows.iter().map(|r| r["SERIES"].as_str()).collect();
    for s in ["SH_H2O_SAFE", "SH_SAN_SAFE", "EG_ACS_ELEC", "EG_EGY_CLEAN"] {
        assert!(!series.contains(&s), "{s}");
    }
    let (_, omitted) = read_csv(&a.join("sdg/omitted.csv"));
    let listed = |ind: &str, c: &str, reason: &str| {
        omitted.iter().any(|o| {
            o["file"] == "sdmx"
                && o["indicator"] == ind
                && o["circumstance"] == c
                && o["reason"] == reason
        })
    };
    for ind in [
        "basic_water",
        "basic_sanitation",
        "higher_education",
        "electricity",
    ] {
        assert!(listed(ind, "", "no_series"), "{ind}");
    }
    assert!(listed("modern_contraception", "age", "numeric"));
    assert!(listed("skilled_birth", "residence", "not_in_series"));
    // Every few-record cell is suppressed, and every suppressed cell is one the annex flags
    // for its few records.
    let published: std::collections::BTreeSet<_> =
        rows.iter().map(|row| annex_key(&r, row)).collect();
    for (key, t) in &annex {
        if t["flag"].starts_with("n = ") {
            assert!(
                !published.contains(key),
                "a few-record cell is published: {key:?}"
            );
        }
    }
    let small: Vec<_> = omitted
        .iter()
        .filter(|o| o["reason"] == "small_cell")
        .collect();
    assert!(!small.is_empty());
    for o in &small {
        let flag = group_flag(
            &r,
            &o["wave"],
            &o["indicator"],
            &o["circumstance"],
            &o["level"],
        );
        assert_eq!(flag, "few_records", "{o:?}");
    }
    opensdg_values_are_the_annex_estimates(a, &annex);
    // Two runs, and a re-render from results.json, write the same bytes; verify covers them.
    let again = a.with_file_name("rendered");
    pipeline::rerender(&a.join("results.json"), &again, None).unwrap();
    let files = sdg_files(a);
    assert!(files.len() > 5);
    for f in &files {
        let bytes = std::fs::read(a.join(f)).unwrap();
        assert_eq!(
            bytes,
            std::fs::read(b.join(f)).unwrap(),
            "{f} differs between runs"
        );
        assert_eq!(
            bytes,
            std::fs::read(again.join(f)).unwrap(),
            "{f} differs on re-render"
        );
    }
    let manifest = std::fs::read_to_string(a.join("manifest.json")).unwrap();
    for f in &files {
        assert!(
            manifest.contains(&format!("\"{f}\"")),
            "{f} not in the manifest"
        );
    }
    pipeline::verify(a, false).unwrap();
    std::fs::write(a.join("sdg/sdmx.csv"), "changed").unwrap();
    assert!(
        pipeline::verify(a, false).is_err(),
        "verify missed a changed sdmx.csv"
    );
}

/// The reason of a group's reliability flag in results.json ("" when it has none).
fn group_flag(r: &Value, wave: &str, indicator: &str, circumstance: &str, level: &str) -> String {
    let w = r["waves"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["id"] == wave)
        .unwrap();
    let ind = w["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == indicator)
        .unwrap();
    let flag = if circumstance.is_empty() {
        &ind["flag"]
    } else {
        let c = ind["by_circumstance"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["circumstance"] == circumstance)
            .unwrap();
        let g = c["groups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["level"] == level)
            .unwrap();
        &g["flag"]
    };
    flag["reason"].as_str().unwrap_or_default().to_string()
}

fn sdg_files(out: &Path) -> Vec<String> {
    let mut files = vec!["sdg/sdmx.csv".to_string(), "sdg/omitted.csv".to_string()];
    let mut names: Vec<String> = std::fs::read_dir(out.join("sdg/opensdg"))
        .unwrap()
        .map(|e| format!("sdg/opensdg/{}", e.unwrap().file_name().to_string_lossy()))
        .collect();
    names.sort();
    files.extend(names);
    files
}

/// The Open SDG file of stunting: Year, Series, one column per circumstance, status, Value;
/// every value the annex's, and the overall rows with empty disaggregations.
fn opensdg_values_are_the_annex_estimates(out: &Path, annex: &Annex) {
    let (header, rows) = read_csv(&out.join("sdg/opensdg/indicator_2-2-1.csv"));
    assert_eq!(
        header,
        [
            "Year",
            "Series",
            "Wealth",
            "Residence",
            "Sex",
            "Education of household head",
            "Observation status",
            "Value"
        ]
    );
    let columns = [
        ("Wealth", "wealth"),
        ("Residence", "residence"),
        ("Sex", "sex"),
    ];
    let columns = columns
        .iter()
        .chain(&[("Education of household head", "head_education")]);
    for row in &rows {
        let (c, g) = columns
            .clone()
            .find(|(col, _)| !row[*col].is_empty())
            .map_or(("all", "all".to_string()), |(col, id)| {
                (*id, row[*col].clone())
            });
        let key = (
            row["Year"].clone(),
            "stunting".to_string(),
            c.to_string(),
            g,
        );
        let t = annex
            .get(&key)
            .unwrap_or_else(|| panic!("no annex row {key:?}"));
        assert_pct(&row["Value"], &t["rate"], &format!("{key:?}"));
        let low = row["Observation status"] == "Low reliability";
        assert_eq!(low, !t["flag"].is_empty(), "{key:?}");
    }
    assert!(rows
        .iter()
        .any(|r| r["Wealth"].is_empty() && r["Sex"].is_empty()));
}

#[test]
fn flagged_small_cells_and_a_declared_national_series_are_published() {
    let edit = |s: String| {
        s.replace(
            "synthetic = true\n",
            "synthetic = true\nsdg_small_cells = \"flag\"\n",
        )
        .replace(
            "catalogue = \"basic_water\"\n",
            "catalogue = \"basic_water\"\nsdmx_series = \"XNU_WAT_BASIC\"\n",
        )
    };
    let (_dir, outs) = run(edit, &["flag"]);
    let out = &outs[0];
    let (_, rows) = read_csv(&out.join("sdg/sdmx.csv"));
    let water: Vec<_> = rows
        .iter()
        .filter(|r| r["SERIES"] == "XNU_WAT_BASIC")
        .collect();
    // Basic water: the overall rate and wealth and residence (the head's sex and education and
    // the household size have no code), in both waves.
    assert_eq!(water.len(), 2 * (1 + 5 + 2), "{}", water.len());
    let annex = annex(out);
    let few: Vec<_> = annex
        .iter()
        .filter(|(_, t)| t["flag"].starts_with("n = "))
        .map(|(k, _)| k.clone())
        .collect();
    assert!(!few.is_empty());
    let r = results(out);
    let published: Vec<_> = rows.iter().map(|row| (annex_key(&r, row), row)).collect();
    let mut flagged = 0;
    for (key, row) in &published {
        if few.contains(key) {
            assert_eq!(row["OBS_STATUS"], "U", "{key:?}");
            flagged += 1;
        }
    }
    assert!(flagged > 0, "no few-record cell published under \"flag\"");
    let (_, omitted) = read_csv(&out.join("sdg/omitted.csv"));
    assert!(omitted.iter().all(|o| o["reason"] != "small_cell"));
    assert!(!omitted
        .iter()
        .any(|o| o["indicator"] == "basic_water" && o["reason"] == "no_series"));
    let (_, os) = read_csv(&out.join("sdg/opensdg/indicator_2-2-1.csv"));
    assert!(os
        .iter()
        .any(|r| r["Observation status"] == "Low reliability"));
}

#[test]
fn a_wrong_dimension_code_or_series_is_an_error_naming_the_field() {
    let sex = "label = \"Sex\"\nkind = \"unordered\"\nlevels = [\"Female\", \"Male\"]\n";
    let cases = [
        (
            Case::empty(DEMO.into()).edit(sex, &format!("{sex}sdmx = {{ dimension = \"GENDER\", codes = {{ Female = \"F\" }} }}\n")),
            vec!["circumstance 'sex'.sdmx.dimension", "GENDER", "SEX, AGE"],
        ),
        (
            Case::empty(DEMO.into()).edit(sex, &format!("{sex}sdmx = {{ dimension = \"SEX\", codes = {{ Female = \"W\", Male = \"M\" }} }}\n")),
            vec!["circumstance 'sex'.sdmx.codes.Female", "\"W\"", "SEX codelist"],
        ),
        (
            Case::empty(DEMO.into()).edit(sex, &format!("{sex}sdmx = {{ dimension = \"SEX\", codes = {{ Woman = \"F\" }} }}\n")),
            vec!["circumstance 'sex'.sdmx.codes", "\"Woman\" is not a level"],
        ),
        (
            Case::empty(DEMO.into()).edit(
                "catalogue = \"basic_water\"\n",
                "catalogue = \"basic_water\"\nsdmx_series = \"SH_H2O_SAFE\"\n",
            ),
            vec!["indicator 'basic_water'.sdmx_series", "SDG 6.1.1", "national proxy"],
        ),
        (
            Case::empty(DEMO.into()).edit(
                "catalogue = \"electricity\"\n",
                "catalogue = \"electricity\"\nsdmx_series = \"EG_ACS_ELEC\"\n",
            ),
            vec!["indicator 'electricity'.sdmx_series", "share of the population", "households"],
        ),
        (
            Case::empty(DEMO.into()).edit(
                "catalogue = \"internet\"\n",
                "catalogue = \"internet\"\nsdmx_dimensions = { AGE = \"Y5T99\" }\n",
            ),
            vec!["indicator 'internet'.sdmx_dimensions.AGE", "Y5T99"],
        ),
        (
            Case::empty(DEMO.into())
                .edit("synthetic = true\n", "synthetic = false\n")
                .edit("\"pdf\", \"xlsx\"]", "\"pdf\", \"sdmx\"]"),
            vec!["brief.ref_area", "M49"],
        ),
        (
            Case::empty(DEMO.into()).edit("synthetic = true\n", "synthetic = true\nref_area = \"XNU\"\n"),
            vec!["brief.ref_area", "\"XNU\"", "CL_AREA"],
        ),
    ];
    for (case, needles) in cases {
        assert_error(&case.load_err(), 3, &needles);
    }
}
