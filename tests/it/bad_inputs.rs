//! Bad inputs, one test each: every failure must be a `vnr_brief::Error` (never a panic) with the
//! documented exit code (3 spec, 4 input or checksum, 5 data, 6 template, 7 output) and a message
//! that names the file, the field or column at fault and what was expected.
//!
//! Each test builds its own scratch folder: a copy of `specs/demo.toml` (mutated by string
//! replacement) and either the demo Parquet waves or small (300-household) synthetic CSV waves
//! written by `vnr_brief::app::cli::write_synth`, which data-level cases then edit cell by cell.

use std::fs;
use std::path::{Path, PathBuf};

use crate::common::case::*;
use vnr_brief::app::cli::{self, Command};
use vnr_brief::app::pipeline::{self, RunOptions};
use vnr_brief::io::inputs;
use vnr_brief::publish::manifest;
use vnr_brief::{spec, Error};

// ---------------------------------------------------------------------------------------------
// Spec: syntax and types (exit 3)
// ---------------------------------------------------------------------------------------------

#[test]
fn malformed_toml_names_the_line() {
    // Line 6 of the demo spec loses its opening quote.
    let err = Case::empty(DEMO.into())
        .edit(
            "title = \"Leaving no one behind",
            "title = Leaving no one behind",
        )
        .load_err();
    assert_error(&err, 3, &["demo.toml", "line 6", "title"]);
}

#[test]
fn unknown_key_is_named() {
    let err = Case::empty(DEMO.into())
        .edit("iso3 = \"XNU\"\n", "iso3 = \"XNU\"\ncolour = \"blue\"\n")
        .load_err();
    assert_error(&err, 3, &["demo.toml", "colour", "line 9"]);
}

#[test]
fn benefit_of_wrong_type() {
    let err = Case::empty(DEMO.into())
        .edit("benefit = 150000", "benefit = \"lots\"")
        .load_err();
    assert_error(&err, 3, &["demo.toml", "benefit", "lots", "expected"]);
}

#[test]
fn missing_brief_field() {
    let err = Case::empty(DEMO.into())
        .edit("country = \"Nusantara (synthetic)\"\n", "")
        .load_err();
    assert_error(&err, 3, &["demo.toml", "missing field", "country"]);
}

#[test]
fn unknown_circumstance_kind() {
    let err = Case::empty(DEMO.into())
        .edit("kind = \"ordered\"", "kind = \"ordinal\"")
        .load_err();
    assert_error(
        &err,
        3,
        &["demo.toml", "ordinal", "unordered", "ordered", "numeric"],
    );
}

#[test]
fn spec_that_is_not_utf8() {
    let case = Case::empty(DEMO.into());
    let p = case.spec_path();
    fs::write(&p, [0xff, 0xfe, b'[', b'b', 0x00]).unwrap();
    let err = spec::load(&p).unwrap_err();
    assert_error(&err, 3, &["demo.toml", "UTF-8", "TOML"]);
}

#[test]
fn missing_spec_file_via_check_command() {
    let case = Case::empty(DEMO.into());
    let err = cli::execute(Command::Check {
        spec: case.path("nope.toml"),
    })
    .unwrap_err();
    assert_error(&err, 3, &["nope.toml", "cannot read"]);
}

// ---------------------------------------------------------------------------------------------
// Spec: values and cross-references (exit 3)
// ---------------------------------------------------------------------------------------------

#[test]
fn unknown_circumstance_in_indicator() {
    let err = Case::empty(DEMO.into())
        .edit(
            "\"head_sex\", \"household_size\"]",
            "\"head_sex\", \"caste\"]",
        )
        .load_err();
    assert_error(
        &err,
        3,
        &[
            "demo.toml",
            "indicator 'electricity'.circumstances",
            "unknown circumstance \"caste\"",
            "known: age, education",
        ],
    );
}

#[test]
fn duplicate_indicator_id() {
    let err = Case::empty(DEMO.into())
        .edit("id = \"clean_fuel\"", "id = \"electricity\"")
        .load_err();
    assert_error(
        &err,
        3,
        &["demo.toml", "indicator", "\"electricity\"", "twice"],
    );
}

#[test]
fn ordered_circumstance_without_levels() {
    let err = Case::empty(DEMO.into())
        .edit(
            "kind = \"ordered\"\nlevels = [\"None\", \"Primary\", \"Lower secondary\", \"Upper secondary\", \"Higher\"]\n",
            "kind = \"ordered\"\n",
        )
        .load_err();
    assert_error(
        &err,
        3,
        &[
            "demo.toml",
            "circumstance 'head_education'.levels",
            "needs its levels",
        ],
    );
}

#[test]
fn unsupported_language() {
    let err = Case::empty(DEMO.into())
        .edit("language = \"en\"", "language = \"fr\"")
        .load_err();
    assert_error(
        &err,
        3,
        &[
            "demo.toml",
            "brief.language",
            "\"en\" (English) or \"id\" (Bahasa Indonesia)",
            "\"fr\"",
        ],
    );
}

#[test]
fn reference_date_not_iso() {
    let err = Case::empty(DEMO.into())
        .edit(
            "reference_date = \"2026-06-30\"",
            "reference_date = \"30/06/2026\"",
        )
        .load_err();
    assert_error(
        &err,
        3,
        &[
            "demo.toml",
            "brief.reference_date",
            "YYYY-MM-DD",
            "30/06/2026",
        ],
    );
}

#[test]
fn reference_date_impossible_month() {
    let err = Case::empty(DEMO.into())
        .edit(
            "reference_date = \"2026-06-30\"",
            "reference_date = \"2026-13-01\"",
        )
        .load_err();
    assert_error(
        &err,
        3,
        &["demo.toml", "brief.reference_date", "2026-13-01"],
    );
}

#[test]
fn unknown_output_format() {
    let err = Case::empty(DEMO.into())
        .edit(
            "formats = [\"md\", \"typ\", \"pdf\", \"xlsx\"]",
            "formats = [\"md\", \"odt\"]",
        )
        .load_err();
    assert_error(
        &err,
        3,
        &["demo.toml", "brief.formats", "\"odt\"", "\"pdf\""],
    );
}

#[test]
fn wave_path_with_dotdot_escapes_the_spec_folder() {
    let err = Case::empty(DEMO.into())
        .edit(
            "path = \"data/nusantara_2021.parquet\"",
            "path = \"data/../../nusantara_2021.parquet\"",
        )
        .load_err();
    assert_error(
        &err,
        3,
        &[
            "demo.toml",
            "wave '2021'.path",
            "data/../../nusantara_2021.parquet",
            "leaves the spec's folder",
            "relative to the spec",
        ],
    );
}

#[test]
fn absolute_wave_path() {
    let err = Case::empty(DEMO.into())
        .edit(
            "path = \"data/nusantara_2024.parquet\"",
            "path = \"/etc/passwd.parquet\"",
        )
        .load_err();
    assert_error(
        &err,
        3,
        &[
            "demo.toml",
            "wave '2024'.path",
            "/etc/passwd.parquet",
            "leaves the spec's folder",
        ],
    );
}

#[test]
fn wave_format_cannot_be_told() {
    let err = Case::empty(DEMO.into())
        .edit("data/nusantara_2021.parquet", "data/nusantara_2021.txt")
        .load_err();
    assert_error(
        &err,
        3,
        &[
            "demo.toml",
            "wave '2021'.format",
            "nusantara_2021.txt",
            "\"csv\", \"parquet\", \"stata\" or \"spss\"",
        ],
    );
}

#[test]
fn pinned_sha256_not_hex() {
    let err = Case::empty(DEMO.into())
        .edit(
            "path = \"data/nusantara_2021.parquet\"\n",
            "path = \"data/nusantara_2021.parquet\"\nsha256 = \"abc123\"\n",
        )
        .load_err();
    assert_error(
        &err,
        3,
        &["demo.toml", "wave '2021'.sha256", "64 hex digits", "abc123"],
    );
}

#[test]
fn unparseable_outcome_expression() {
    let err = Case::empty(DEMO.into())
        .edit(
            "catalogue = \"electricity\"",
            "catalogue = \"electricity\"\noutcome = \"electricity = = 1\"",
        )
        .load_err();
    assert_error(
        &err,
        3,
        &[
            "demo.toml",
            "indicator 'electricity'.outcome",
            "cannot parse expression",
            "electricity = = 1",
        ],
    );
}

#[test]
fn unparseable_derived_expression() {
    let err = Case::empty(DEMO.into())
        .edit("ELSE '7+' END", "ELSE '7+'")
        .load_err();
    assert_error(
        &err,
        3,
        &[
            "demo.toml",
            "derive[2] 'hh_size_group'.expr",
            "cannot parse expression",
        ],
    );
}

#[test]
fn coverage_above_one() {
    let err = Case::empty(DEMO.into())
        .edit("coverage = 0.8", "coverage = 1.5")
        .load_err();
    assert_error(
        &err,
        3,
        &[
            "demo.toml",
            "scenario 'package'.scheme[2].coverage",
            "(0, 1]",
            "1.5",
        ],
    );
}

#[test]
fn min_age_above_max_age() {
    let err = Case::empty(DEMO.into())
        .edit("min_age = 0\nmax_age = 5", "min_age = 6\nmax_age = 5")
        .load_err();
    assert_error(
        &err,
        3,
        &[
            "demo.toml",
            "scenario 'child'.scheme[0]",
            "min_age 6 is above max_age 5",
        ],
    );
}

#[test]
fn negative_benefit() {
    let err = Case::empty(DEMO.into())
        .edit(
            "benefit = 300000\nadmin_cost = 0.03",
            "benefit = -1\nadmin_cost = 0.03",
        )
        .load_err();
    assert_error(
        &err,
        3,
        &[
            "demo.toml",
            "scenario 'old_age'.scheme[0].benefit",
            "non-negative",
            "-1",
        ],
    );
}

#[test]
fn non_positive_macro_figure() {
    let err = Case::empty(DEMO.into())
        .edit("cpi_ratio = 1.12", "cpi_ratio = 0")
        .load_err();
    assert_error(
        &err,
        3,
        &["demo.toml", "macro.cpi_ratio", "positive number", "found 0"],
    );
}

// ---------------------------------------------------------------------------------------------
// Inputs and checksums (exit 4)
// ---------------------------------------------------------------------------------------------

#[test]
fn missing_data_file() {
    let case = Case::parquet();
    fs::remove_file(case.path("data/nusantara_2024.parquet")).unwrap();
    case.write();
    let err = cli::execute(Command::Lock {
        spec: case.spec_path(),
    })
    .unwrap_err();
    assert_error(
        &err,
        4,
        &["data/nusantara_2024.parquet", "cannot open input"],
    );
    assert!(
        !case.path("demo.lock").exists(),
        "a failed lock must not write a lock file"
    );
}

#[test]
fn no_checksum_recorded() {
    let case = Case::parquet();
    case.write();
    let err = cli::execute(Command::Run {
        spec: case.spec_path(),
        out: Some(case.path("out")),
        templates: None,
        formats: Vec::new(),
    })
    .unwrap_err();
    assert!(!case.path("out").exists());
    assert_error(
        &err,
        4,
        &[
            "nusantara_2021.parquet",
            "no checksum recorded",
            "vnr-brief lock",
            "demo.toml",
        ],
    );
}

#[test]
fn input_changed_after_lock() {
    let case = Case::parquet();
    case.lock();
    let old = inputs::sha256_hex(&fs::read(case.path("data/nusantara_2021.parquet")).unwrap());
    // A "corrected" wave dropped in place: the 2024 file under the 2021 name.
    fs::copy(
        case.path("data/nusantara_2024.parquet"),
        case.path("data/nusantara_2021.parquet"),
    )
    .unwrap();
    let new = inputs::sha256_hex(&fs::read(case.path("data/nusantara_2021.parquet")).unwrap());
    let err = case.run_err();
    assert!(matches!(err, Error::Checksum { .. }), "{err:?}");
    assert_error(
        &err,
        4,
        &[
            "nusantara_2021.parquet",
            "checksum mismatch",
            &format!("expected sha256 {old}"),
            &format!("found    sha256 {new}"),
            "vnr-brief lock",
            "demo.toml",
        ],
    );
}

#[test]
fn pinned_sha256_mismatch() {
    let pinned = "0".repeat(64);
    let case = Case::parquet().edit(
        "path = \"data/nusantara_2021.parquet\"\n",
        &format!("path = \"data/nusantara_2021.parquet\"\nsha256 = \"{pinned}\"\n"),
    );
    let err = case.run_err();
    assert_error(
        &err,
        4,
        &["nusantara_2021.parquet", "checksum mismatch", &pinned],
    );
}

#[test]
fn malformed_lock_file() {
    let case = Case::parquet();
    case.write();
    fs::write(case.path("demo.lock"), "inputs = [1, 2\n").unwrap();
    let err = case.run_err();
    assert_error(&err, 4, &["demo.lock", "malformed lock file"]);
}

#[test]
fn binary_file_given_as_csv() {
    let case = Case::empty(DEMO.replace(".parquet\"", ".csv\""));
    for w in WAVES {
        fs::copy(
            Path::new(ROOT).join(format!("specs/data/{w}.parquet")),
            case.path(&format!("data/{w}.csv")),
        )
        .unwrap();
    }
    let err = case.lock_and_run_err();
    assert_error(
        &err,
        4,
        &["nusantara_2021.csv", "expected a CSV text file", "binary"],
    );
}

#[test]
fn text_file_given_as_parquet() {
    let case = Case::parquet();
    fs::write(case.path("data/nusantara_2021.parquet"), "hhid,age\n1,30\n").unwrap();
    let err = case.lock_and_run_err();
    assert_error(
        &err,
        4,
        &["nusantara_2021.parquet", "cannot parse as Parquet"],
    );
}

#[test]
fn csv_with_header_only() {
    let case = Case::csv();
    let path = case.path("data/nusantara_2021.csv");
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, format!("{}\n", text.lines().next().unwrap())).unwrap();
    let err = case.lock_and_run_err();
    assert_error(&err, 4, &["nusantara_2021.csv", "no data rows"]);
}

// ---------------------------------------------------------------------------------------------
// Data that do not fit the spec (exit 5)
// ---------------------------------------------------------------------------------------------

#[test]
fn outcome_reads_a_missing_column() {
    let err = Case::parquet()
        .edit(
            "catalogue = \"electricity\"",
            "catalogue = \"electricity\"\noutcome = \"electrcity = 1\"",
        )
        .lock_and_run_err();
    assert_error(
        &err,
        5,
        &[
            "wave '2021'",
            "nusantara_2021.parquet",
            "indicator 'electricity'.outcome",
            "`electrcity`",
            "not in the data",
        ],
    );
}

#[test]
fn circumstance_column_missing() {
    let err = Case::parquet()
        .edit("column = \"wealth_quintile\"", "column = \"wealth_q\"")
        .lock_and_run_err();
    assert_error(
        &err,
        5,
        &[
            "nusantara_2021.parquet",
            "circumstance 'wealth'.column",
            "`wealth_q`",
            "not in the data",
        ],
    );
}

#[test]
fn design_column_missing() {
    let err = Case::parquet()
        .edit("psu = \"psu\"", "psu = \"cluster\"")
        .lock_and_run_err();
    assert_error(
        &err,
        5,
        &[
            "nusantara_2021.parquet",
            "psu column `cluster`",
            "not in the data",
            "columns found: hhid",
        ],
    );
}

#[test]
fn weight_column_of_text() {
    let case = Case::csv();
    case.set_cell("nusantara_2021", "hh_weight", 7, "heavy");
    let err = case.lock_and_run_err();
    assert_error(
        &err,
        5,
        &[
            "wave '2021'",
            "nusantara_2021.csv",
            "weight column `hh_weight`",
            "expected numbers",
            "str",
        ],
    );
}

#[test]
fn negative_weight() {
    let case = Case::csv();
    case.set_cell("nusantara_2024", "hh_weight", 5, "-12.5");
    let err = case.lock_and_run_err();
    assert_error(
        &err,
        5,
        &[
            "nusantara_2024.csv",
            "weight column `hh_weight`",
            "positive finite",
            "1 row(s)",
            "data row 5",
            "-12.5",
        ],
    );
}

#[test]
fn zero_weight() {
    let case = Case::csv();
    case.set_cell("nusantara_2021", "hh_weight", 3, "0");
    case.set_cell("nusantara_2021", "hh_weight", 4, "0");
    let err = case.lock_and_run_err();
    assert_error(
        &err,
        5,
        &[
            "nusantara_2021.csv",
            "weight column `hh_weight`",
            "positive finite",
            "2 row(s)",
            "data row 3",
            "value 0",
        ],
    );
}

#[test]
fn missing_weight() {
    let case = Case::csv();
    case.set_cell("nusantara_2021", "hh_weight", 2, "");
    let err = case.lock_and_run_err();
    assert_error(
        &err,
        5,
        &[
            "nusantara_2021.csv",
            "weight column `hh_weight`",
            "positive finite",
            "data row 2",
            "value missing",
        ],
    );
}

#[test]
fn missing_welfare() {
    let case = Case::csv();
    case.set_cell("nusantara_2021", "consumption_pc", 9, "");
    let err = case.lock_and_run_err();
    assert_error(
        &err,
        5,
        &[
            "nusantara_2021.csv",
            "welfare column `consumption_pc`",
            "non-negative numbers",
            "data row 9",
            "missing value",
        ],
    );
}

#[test]
fn nan_welfare() {
    let case = Case::csv();
    case.set_cell("nusantara_2024", "consumption_pc", 11, "NaN");
    let err = case.lock_and_run_err();
    assert_error(
        &err,
        5,
        &[
            "nusantara_2024.csv",
            "welfare column `consumption_pc`",
            "non-negative numbers",
            "data row 11",
            "NaN",
        ],
    );
}

#[test]
fn household_size_zero() {
    let case = Case::csv();
    case.set_cell("nusantara_2021", "hhsize", 4, "0");
    let err = case.lock_and_run_err();
    assert_error(
        &err,
        5,
        &[
            "nusantara_2021.csv",
            "household_size column `hhsize`",
            "whole numbers",
            "data row 4",
        ],
    );
}

#[test]
fn age_column_of_text() {
    let case = Case::csv();
    case.set_cell("nusantara_2021", "age", 1, "forty");
    let err = case.lock_and_run_err();
    assert_error(
        &err,
        5,
        &["nusantara_2021.csv", "age column `age`", "expected numbers"],
    );
}

#[test]
fn text_in_an_outcome_column() {
    // One "yes" turns `electricity` into a text column; `electricity = 1` must not quietly
    // turn into "no household has electricity".
    let case = Case::csv();
    case.set_cell("nusantara_2021", "electricity", 1, "yes");
    let err = case.lock_and_run_err();
    assert_error(
        &err,
        5,
        &[
            "nusantara_2021.csv",
            "indicator 'electricity'.outcome",
            "string",
        ],
    );
}

#[test]
fn population_selecting_nobody() {
    let err = Case::csv()
        .edit(
            "catalogue = \"electricity\"",
            "catalogue = \"electricity\"\npopulation = \"relation = 'Chief'\"",
        )
        .lock_and_run_err();
    assert_error(
        &err,
        5,
        &[
            "nusantara_2021.csv",
            "indicator 'electricity'.population",
            "no record is in the population",
        ],
    );
}

#[test]
fn outcome_not_zero_one() {
    let err = Case::csv()
        .edit(
            "catalogue = \"electricity\"",
            "catalogue = \"electricity\"\noutcome = \"age\"",
        )
        .lock_and_run_err();
    assert_error(
        &err,
        5,
        &[
            "nusantara_2021.csv",
            "indicator 'electricity'.outcome",
            "expected 0/1",
            "data row",
            "gives",
        ],
    );
}

#[test]
fn aggregate_outcome() {
    let err = Case::csv()
        .edit(
            "catalogue = \"electricity\"",
            "catalogue = \"electricity\"\noutcome = \"max(electricity)\"",
        )
        .lock_and_run_err();
    assert_error(
        &err,
        5,
        &[
            "nusantara_2021.csv",
            "indicator 'electricity'.outcome",
            "one value per row",
        ],
    );
}

#[test]
fn circumstance_value_not_among_levels() {
    let err = Case::csv()
        .edit(
            "levels = [\"Rural\", \"Urban\"]",
            "levels = [\"Rural\", \"Town\"]",
        )
        .lock_and_run_err();
    assert_error(
        &err,
        5,
        &[
            "nusantara_2021.csv",
            "circumstance 'residence'",
            "column `urban`",
            "\"Urban\" is not among the levels",
            "recode",
        ],
    );
}

#[test]
fn disability_column_missing() {
    let err = Case::parquet()
        .edit("column = \"disability\"", "column = \"disabled\"")
        .lock_and_run_err();
    assert_error(
        &err,
        5,
        &[
            "nusantara_2021.parquet",
            "scenario 'package'.scheme[2].column",
            "`disabled`",
            "not in the data",
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// Templates (exit 6) and outputs (exit 7); a failed run leaves the previous output alone
// ---------------------------------------------------------------------------------------------

fn copy_templates(to: &Path) {
    for sub in ["md", "typ", "strings"] {
        fs::create_dir_all(to.join(sub)).unwrap();
        for e in fs::read_dir(Path::new(ROOT).join("report_templates").join(sub)).unwrap() {
            let p = e.unwrap().path();
            fs::copy(&p, to.join(sub).join(p.file_name().unwrap())).unwrap();
        }
    }
}

/// An output folder holding a previous brief (one marker file).
/// A previous output of this tool: files listed in a manifest of its own.
fn previous_output(case: &Case) -> PathBuf {
    let out = case.path("out");
    fs::create_dir_all(out.join("charts")).unwrap();
    fs::write(out.join("brief.md"), "previous brief\n").unwrap();
    fs::write(out.join("charts/marker.txt"), "keep me\n").unwrap();
    let listed = |f: &str| manifest::entry(&out.join(f), f.to_string()).unwrap();
    let m = manifest::Manifest {
        tool: "vnr-brief".into(),
        version: "0.1.0".into(),
        reproduce: "vnr-brief run demo.toml".into(),
        spec: None,
        lock: None,
        inputs: Vec::new(),
        template_source: "built-in".into(),
        templates: Vec::new(),
        outputs: vec![listed("brief.md"), listed("charts/marker.txt")],
    };
    fs::write(
        out.join("manifest.json"),
        serde_json::to_string(&m).unwrap(),
    )
    .unwrap();
    out
}

#[test]
fn template_with_a_syntax_error() {
    let case = Case::csv();
    case.lock();
    let tpl = case.path("templates");
    copy_templates(&tpl);
    let broken = tpl.join("md/lnob.md");
    let mut text = fs::read_to_string(&broken).unwrap();
    text.push_str("\n{% if %}\n");
    fs::write(&broken, text).unwrap();

    let out = previous_output(&case);
    let before = snapshot(&out);
    let err = case.run_to_err(&out, Some(tpl));
    assert_error(&err, 6, &["template", "lnob.md"]);
    assert_eq!(snapshot(&out), before, "the previous output was changed");
    assert_eq!(leftovers(case.dir.path()), Vec::<String>::new());
}

#[test]
fn template_folder_missing_a_file() {
    let case = Case::csv();
    case.lock();
    let tpl = case.path("templates");
    copy_templates(&tpl);
    fs::remove_file(tpl.join("typ/means.typ")).unwrap();
    let err = case.run_to_err(&case.path("out"), Some(tpl));
    assert_error(&err, 6, &["typ/means.typ", "cannot read"]);
    assert!(!case.path("out").exists());
}

#[test]
fn template_folder_strings_file_missing_a_key() {
    let case = Case::csv();
    case.lock();
    let tpl = case.path("templates");
    copy_templates(&tpl);
    let strings = tpl.join("strings/id.toml");
    let text = fs::read_to_string(&strings).unwrap();
    let text: String = text
        .lines()
        .filter(|l| !l.starts_with("table4 = "))
        .map(|l| format!("{l}\n"))
        .collect();
    fs::write(&strings, text).unwrap();
    let err = case.run_to_err(&case.path("out"), Some(tpl.clone()));
    assert_error(&err, 6, &["strings/id.toml", "progress.table4", "missing"]);
    fs::remove_file(&strings).unwrap();
    let err = case.run_to_err(&case.path("out"), Some(tpl));
    assert_error(&err, 6, &["strings/id.toml", "cannot read"]);
    assert!(!case.path("out").exists());
}

#[test]
fn output_folder_under_a_regular_file() {
    let case = Case::csv();
    case.lock();
    fs::write(case.path("blocker"), "a file, not a folder\n").unwrap();
    let err = case.run_to_err(&case.path("blocker/out"), None);
    assert_error(&err, 7, &["blocker", "cannot create the output folder"]);
    assert_eq!(
        fs::read_to_string(case.path("blocker")).unwrap(),
        "a file, not a folder\n"
    );
    assert_eq!(leftovers(case.dir.path()), Vec::<String>::new());
}

#[test]
fn output_path_that_is_a_regular_file() {
    let case = Case::csv();
    case.lock();
    let out = case.path("out.txt");
    fs::write(&out, "someone's notes\n").unwrap();
    let err = case.run_to_err(&out, None);
    assert_error(&err, 7, &["out.txt", "expected a folder"]);
    assert_eq!(fs::read_to_string(&out).unwrap(), "someone's notes\n");
    assert_eq!(leftovers(case.dir.path()), Vec::<String>::new());
}

#[test]
fn failed_run_leaves_previous_output_untouched() {
    let case = Case::csv().edit(
        "catalogue = \"electricity\"",
        "catalogue = \"electricity\"\noutcome = \"age\"",
    );
    case.lock();
    let out = previous_output(&case);
    let before = snapshot(&out);
    let err = case.run_to_err(&out, None);
    assert_error(&err, 5, &["expected 0/1"]);
    assert_eq!(snapshot(&out), before, "the previous output was changed");
    assert_eq!(leftovers(case.dir.path()), Vec::<String>::new());
}

/// Control: the unmodified small CSV case runs, so every data-level failure above is caused by
/// its one edit.
#[test]
fn control_small_csv_case_runs() {
    let case = Case::csv();
    case.lock();
    let out = pipeline::run(
        &case.spec_path(),
        &RunOptions {
            out: Some(case.path("out")),
            templates: None,
            formats: None,
        },
    )
    .expect("the unmodified case runs");
    assert!(out.out.join("results.json").is_file());
    assert_eq!(out.records.len(), 2);
}

#[test]
fn output_folder_holding_the_inputs_is_refused() {
    let case = Case::csv();
    case.lock();
    let data = case.path("data");
    let before = snapshot(&data);
    let err = case.run_to_err(&data, None);
    assert_error(&err, 7, &["data", "input"]);
    assert_eq!(snapshot(&data), before, "the survey files were changed");
}

#[test]
fn template_syntax_error_names_the_users_folder() {
    let case = Case::csv();
    case.lock();
    let tpl = case.path("my_templates");
    copy_templates(&tpl);
    let broken = tpl.join("typ/methods.typ");
    let mut text = fs::read_to_string(&broken).unwrap();
    text.push_str("\n{{ r.brief.title \n");
    fs::write(&broken, text).unwrap();
    let err = case.run_to_err(&case.path("out"), Some(tpl.clone()));
    assert_error(&err, 6, &["my_templates", "methods.typ"]);
    assert!(
        !err.to_string().contains("report_templates"),
        "names the built-in folder instead of the one used: {err}"
    );
}

#[test]
fn spec_named_like_its_lock_file_is_not_overwritten() {
    let case = Case::parquet();
    let p = case.path("demo.lock");
    fs::write(&p, &case.spec_text).unwrap();
    let err = cli::execute(Command::Lock { spec: p.clone() }).unwrap_err();
    assert_error(&err, 3, &["demo.lock", ".toml"]);
    assert_eq!(fs::read_to_string(&p).unwrap(), case.spec_text);
}

#[test]
fn missing_household_id() {
    let case = Case::csv();
    case.set_cell("nusantara_2024", "hhid", 6, "");
    let err = case.lock_and_run_err();
    assert_error(
        &err,
        5,
        &[
            "nusantara_2024.csv",
            "household_id column `hhid`",
            "data row 6",
        ],
    );
}

#[test]
fn derived_variable_clashes_with_a_column() {
    let err = Case::parquet()
        .edit("name = \"hh_size_group\"", "name = \"age\"")
        .lock_and_run_err();
    assert_error(
        &err,
        5,
        &[
            "nusantara_2021.parquet",
            "derive[2] 'age'",
            "`age` already exists",
        ],
    );
}

#[test]
fn outcome_always_one() {
    let err = Case::csv()
        .edit(
            "catalogue = \"electricity\"",
            "catalogue = \"electricity\"\noutcome = \"hhsize >= 1\"",
        )
        .lock_and_run_err();
    assert_error(
        &err,
        5,
        &[
            "nusantara_2021.csv",
            "indicator 'electricity'.outcome",
            "is 1 for every record",
        ],
    );
}

#[test]
fn outcome_always_zero() {
    let err = Case::csv()
        .edit(
            "catalogue = \"electricity\"",
            "catalogue = \"electricity\"\noutcome = \"hhsize < 0\"",
        )
        .lock_and_run_err();
    assert_error(
        &err,
        5,
        &[
            "nusantara_2021.csv",
            "indicator 'electricity'.outcome",
            "is 0 for every record",
        ],
    );
}

#[test]
fn circumstance_that_is_all_missing() {
    let case = Case::csv();
    case.edit_csv("nusantara_2024", |header, rows| {
        let col = header.iter().position(|h| h == "wealth_quintile").unwrap();
        for row in rows.iter_mut() {
            row[col] = String::new();
        }
    });
    let err = case.lock_and_run_err();
    assert_error(
        &err,
        5,
        &[
            "nusantara_2024.csv",
            "circumstance 'wealth'",
            "column `wealth_quintile`",
            "missing for every record",
        ],
    );
}

#[test]
fn scenario_with_no_eligible_person() {
    let err = Case::csv()
        .edit(
            "min_age = 70\nexclude = \"contributory_pension = 1\"",
            "min_age = 70\nexclude = \"age >= 0\"",
        )
        .lock_and_run_err();
    assert_error(
        &err,
        5,
        &[
            "nusantara_2024.csv",
            "scenario 'old_age'",
            "Old-age pension",
            "no one is eligible",
        ],
    );
}

#[test]
fn huge_file_given_as_csv() {
    // A sparse file just over the size limit: refused from its length, before any byte is read,
    // by `lock` as by `run`.
    let case = Case::csv();
    let path = case.path("data/nusantara_2021.csv");
    fs::File::create(&path)
        .unwrap()
        .set_len(inputs::MAX_INPUT_BYTES + 1)
        .unwrap();
    let loaded = spec::load(&case.write()).unwrap();
    let err = inputs::write_lock(&loaded).expect_err("a huge input is refused");
    let expected = [
        "nusantara_2021.csv",
        "bytes, above the",
        "byte limit for one survey file",
    ];
    assert_error(&err, 4, &expected);
    let err = case.run_err();
    assert_error(&err, 4, &expected);
}

#[test]
fn expression_that_makes_polars_fail_internally() {
    // Found by tests/it/fuzz.rs: polars panics on this expression instead of returning an error.
    // The run must still end with an error naming the field, and no panic.
    let err = Case::csv()
        .edit(
            "catalogue = \"electricity\"",
            "catalogue = \"electricity\"\npopulation = \"COALESCE(2147483648, 30)\"",
        )
        .lock_and_run_err();
    assert_error(
        &err,
        5,
        &[
            "nusantara_2021.csv",
            "indicator 'electricity'.population",
            "could not be evaluated",
        ],
    );
}

#[test]
fn template_folder_named_in_the_spec_with_an_error_names_template_and_line() {
    let case = Case::csv().edit(
        "synthetic = true",
        "synthetic = true\ntemplates = \"my_templates\"",
    );
    case.lock();
    let tpl = case.path("my_templates");
    copy_templates(&tpl);
    let broken = tpl.join("md/annex.md");
    let mut text = fs::read_to_string(&broken).unwrap();
    let line = text.lines().count() + 1;
    text.push_str("{% if %}\n");
    fs::write(&broken, text).unwrap();
    let err = case.run_err();
    assert_error(
        &err,
        6,
        &["my_templates", "md/annex.md", &format!("{line}:")],
    );
}

#[test]
fn template_folder_in_the_spec_may_not_leave_its_folder() {
    let err = Case::empty(DEMO.into())
        .edit("synthetic = true", "synthetic = true\ntemplates = \"../t\"")
        .load_err();
    assert_error(&err, 3, &["brief.templates", "leaves the spec's folder"]);
}

#[test]
fn template_that_renders_but_is_not_valid_typst() {
    let case = Case::csv();
    case.lock();
    let out = previous_output(&case);
    let before = snapshot(&out);
    let tpl = case.path("my_templates");
    copy_templates(&tpl);
    let broken = tpl.join("typ/methods.typ");
    let mut text = fs::read_to_string(&broken).unwrap();
    text.push_str("\n#let broken = (\n");
    fs::write(&broken, text).unwrap();
    let err = case.run_to_err(&out, Some(tpl));
    assert_error(&err, 6, &["brief.pdf", "does not compile", "brief.typ:"]);
    assert_eq!(snapshot(&out), before, "previous brief left untouched");
}

#[test]
fn a_finite_population_correction_that_changes_within_a_stratum() {
    let mut case = Case::csv();
    case.spec_text =
        case.spec_text
            .replacen("psu = \"psu\"\n", "psu = \"psu\"\nfpc = \"hh_weight\"\n", 1);
    let err = case.lock_and_run_err();
    assert_error(
        &err,
        5,
        &[
            "wave '2021'",
            "fpc column `hh_weight`",
            "same stratum",
            "one value per stratum",
        ],
    );
}
