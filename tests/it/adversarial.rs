//! Adversarial cases, by class (the robustness issue): an output folder that is not provably a
//! previous brief is never replaced, whatever path leads to it; extreme magnitudes and unbounded
//! sizes are refused up front instead of hanging; publishing survives a killed run and refuses a
//! concurrent one. Every refused case also checks that no user file changed.
//!
//! Cases that could hang run the real binary under a deadline, so a regression fails the test
//! instead of stalling CI.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::case::*;
use vnr_brief::app::cli;
use vnr_brief::app::pipeline::{self, RunOptions};
use vnr_brief::io::inputs;

const BIN: &str = env!("CARGO_BIN_EXE_vnr-brief");

/// Run the binary in `cwd` with `args`; fail the test if it takes longer than `limit`.
/// Returns the exit code and stderr.
fn run_bin(cwd: &Path, args: &[&str], limit: Duration) -> (i32, String) {
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            use std::io::Read;
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut err)
                .unwrap();
            return (status.code().unwrap_or(-1), err);
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("vnr-brief {args:?} still running after {limit:?}: it hangs");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[track_caller]
fn assert_exit(result: &(i32, String), code: i32, needles: &[&str]) {
    let (got, msg) = result;
    assert_eq!(*got, code, "wrong exit code; stderr:\n{msg}");
    for n in needles {
        assert!(msg.contains(n), "stderr lacks {n:?}:\n{msg}");
    }
}

fn opts(out: &Path) -> RunOptions {
    RunOptions {
        out: Some(out.to_path_buf()),
        templates: None,
        formats: None,
    }
}

/// A small locked case (CSV waves, Markdown only so runs stay short).
fn small_case() -> Case {
    let case = Case::csv().edit(
        "formats = [\"md\", \"typ\", \"pdf\", \"xlsx\"]",
        "formats = [\"md\"]",
    );
    case.lock();
    case
}

// ---------------------------------------------------------------------------------------------
// Class 1: --out never deletes what this tool did not write
// ---------------------------------------------------------------------------------------------

/// A folder of someone else's, with a `manifest.json` of its own (a web app).
fn web_app(dir: &Path) {
    fs::create_dir_all(dir.join("src")).unwrap();
    fs::write(dir.join("manifest.json"), "{\"name\": \"my app\"}\n").unwrap();
    fs::write(dir.join("src/app.js"), "console.log('hello');\n").unwrap();
}

#[test]
fn folder_with_a_foreign_manifest_is_not_replaced() {
    let case = small_case();
    let out = case.path("webapp");
    web_app(&out);
    let before = snapshot(&out);
    let err = case.run_to_err(&out, None);
    assert_error(&err, 7, &["webapp", "not a brief written by vnr-brief"]);
    assert_eq!(snapshot(&out), before);
    assert_eq!(leftovers(case.dir.path()), Vec::<String>::new());
}

#[test]
fn folder_with_only_a_results_json_is_not_replaced() {
    let case = small_case();
    let out = case.path("analysis");
    fs::create_dir_all(&out).unwrap();
    fs::write(out.join("results.json"), "{}\n").unwrap();
    fs::write(out.join("notes.txt"), "my notes\n").unwrap();
    let before = snapshot(&out);
    let err = case.run_to_err(&out, None);
    assert_error(&err, 7, &["no manifest.json"]);
    assert_eq!(snapshot(&out), before);
}

#[test]
fn previous_brief_with_a_users_file_added_is_not_replaced() {
    let case = small_case();
    let out = case.path("out");
    pipeline::run(&case.spec_path(), &opts(&out)).unwrap();
    fs::write(out.join("charts/my_edit.svg"), "<svg/>").unwrap();
    let before = snapshot(&out);
    let err = case.run_to_err(&out, None);
    assert_error(
        &err,
        7,
        &["charts/my_edit.svg", "not listed in its manifest"],
    );
    assert_eq!(snapshot(&out), before);
}

#[test]
fn previous_brief_holding_a_link_is_not_replaced() {
    let case = small_case();
    let out = case.path("out");
    pipeline::run(&case.spec_path(), &opts(&out)).unwrap();
    std::os::unix::fs::symlink(case.path("data"), out.join("data")).unwrap();
    let err = case.run_to_err(&out, None);
    assert_error(&err, 7, &["data", "link"]);
    assert!(case.path("data/nusantara_2021.csv").is_file());
}

#[test]
fn manifest_of_another_tool_with_the_same_shape_is_not_trusted() {
    let case = small_case();
    let out = case.path("out");
    pipeline::run(&case.spec_path(), &opts(&out)).unwrap();
    let m = fs::read_to_string(out.join("manifest.json")).unwrap();
    fs::write(
        out.join("manifest.json"),
        m.replace("\"tool\": \"vnr-brief\"", "\"tool\": \"other\""),
    )
    .unwrap();
    let err = case.run_to_err(&out, None);
    assert_error(&err, 7, &["written by \"other\""]);
}

#[test]
fn previous_brief_and_empty_folder_are_replaced() {
    let case = small_case();
    let out = case.path("out");
    pipeline::run(&case.spec_path(), &opts(&out)).unwrap();
    let first = snapshot(&out);
    pipeline::run(&case.spec_path(), &opts(&out)).expect("a previous brief is replaced");
    assert_eq!(snapshot(&out), first, "the rerun is byte-identical");
    let empty = case.path("empty/nested");
    fs::create_dir_all(&empty).unwrap();
    pipeline::run(&case.spec_path(), &opts(&case.path("empty"))).expect("empty folders only");
    assert_eq!(leftovers(case.dir.path()), Vec::<String>::new());
}

#[test]
fn rerendered_brief_has_a_manifest_and_can_be_rerendered_again() {
    let case = small_case();
    let out = case.path("out");
    pipeline::run(&case.spec_path(), &opts(&out)).unwrap();
    let again = case.path("again");
    pipeline::rerender(&out.join("results.json"), &again, None).unwrap();
    assert!(again.join("manifest.json").is_file());
    pipeline::rerender(&out.join("results.json"), &again, None)
        .expect("a re-rendered brief is provably this tool's");
    assert_eq!(
        pipeline::verify(&again, false)
            .map(|_| ())
            .map_err(|e| e.to_string()),
        Ok(())
    );
    // Rendering into the folder that holds the results file would delete it.
    let err = pipeline::rerender(&out.join("results.json"), &out, None).unwrap_err();
    assert_error(&err, 7, &["contains the results file read"]);
}

#[test]
fn relative_dotdot_out_naming_the_spec_folder_is_refused() {
    let case = small_case();
    let name = case
        .dir
        .path()
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let before = snapshot(case.dir.path());
    // From inside the spec's folder, `../<its own name>` is the spec folder itself.
    let r = run_bin(
        case.dir.path(),
        &["run", "demo.toml", "--out", &format!("../{name}")],
        Duration::from_secs(120),
    );
    assert_exit(&r, 7, &["the output folder"]);
    assert_eq!(snapshot(case.dir.path()), before, "the spec folder changed");
}

#[test]
fn out_through_a_link_into_the_spec_folder_is_refused() {
    let case = small_case();
    let outside = tempfile::tempdir().unwrap();
    let link = outside.path().join("shortcut");
    std::os::unix::fs::symlink(case.path("data"), &link).unwrap();
    let before = snapshot(case.dir.path());
    // shortcut/.. is the spec folder (the link's target's parent), not `outside`.
    let err = case.run_to_err(&link.join(".."), None);
    assert_error(&err, 7, &["contains"]);
    let err = case.run_to_err(&link, None);
    assert_error(&err, 7, &["the input of wave"]);
    assert_eq!(snapshot(case.dir.path()), before);
}

#[test]
fn out_that_contains_the_spec_folder_is_refused() {
    let case = small_case();
    let parent = case.dir.path().parent().unwrap().to_path_buf();
    let err = case.run_to_err(&parent, None);
    assert_error(&err, 7, &["contains the spec"]);
}

#[test]
fn out_equal_to_the_template_folder_is_refused() {
    let case = small_case();
    let tpl = case.path("tpl");
    copy_dir(&Path::new(ROOT).join("report_templates"), &tpl);
    let before = snapshot(&tpl);
    let err = case.run_to_err(&tpl, Some(tpl.clone()));
    assert_error(&err, 7, &["is the template folder"]);
    assert_eq!(snapshot(&tpl), before);
}

#[test]
fn out_equal_to_the_working_folder_is_refused() {
    let case = small_case();
    let work = case.path("work");
    fs::create_dir_all(&work).unwrap();
    let spec = case.spec_path();
    let r = run_bin(
        &work,
        &["run", spec.to_str().unwrap(), "--out", "."],
        Duration::from_secs(120),
    );
    assert_exit(&r, 7, &["is the working folder"]);
    let r = run_bin(
        &work,
        &["run", spec.to_str().unwrap(), "--out", ".."],
        Duration::from_secs(120),
    );
    assert_exit(&r, 7, &["the output folder contains"]);
    assert!(work.is_dir());
}

// ---------------------------------------------------------------------------------------------
// Class 9: publishing survives a killed run and refuses a concurrent one
// ---------------------------------------------------------------------------------------------

#[test]
fn a_killed_swap_is_finished_by_the_next_run() {
    let case = small_case();
    let out = case.path("out");
    pipeline::run(&case.spec_path(), &opts(&out)).unwrap();
    let brief = snapshot(&out);
    // As if killed between the two renames: the brief moved aside, nothing at the target, a
    // half-built temporary folder and a lock of a process that no longer runs.
    let aside = case.path(".out.old-4194999");
    fs::rename(&out, &aside).unwrap();
    fs::create_dir_all(case.path(".out.tmp-4194999/charts")).unwrap();
    fs::write(case.path(".out.lock"), "4194999\n").unwrap();
    pipeline::run(&case.spec_path(), &opts(&out)).expect("the next run publishes");
    assert_eq!(snapshot(&out).len(), brief.len());
    assert_eq!(leftovers(case.dir.path()), Vec::<String>::new());
    assert!(!case.path(".out.lock").exists());
}

/// The binary's `run` of `case` into `out`, stopped by the test hook at `step` of publishing
/// (none: a normal run). Returns the exit code.
fn run_stopped_at(case: &Case, step: Option<&str>) -> i32 {
    let mut command = Command::new(BIN);
    command
        .args(["run", "demo.toml", "--out", "out"])
        .current_dir(case.dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    match step {
        Some(step) => command.env("VNR_BRIEF_FAULT", format!("publish:{step}")),
        None => command.env_remove("VNR_BRIEF_FAULT"),
    };
    command.status().unwrap().code().unwrap_or(-1)
}

#[test]
fn a_run_killed_at_each_step_of_publishing_loses_nothing_and_the_next_run_recovers() {
    use vnr_brief::publish::folder::FAULT_STEPS;
    let case = small_case();
    assert_eq!(run_stopped_at(&case, None), 0);
    let out = case.path("out");
    let brief = snapshot(&out);
    for step in FAULT_STEPS {
        assert_eq!(
            run_stopped_at(&case, Some(step)),
            137,
            "{step}: not stopped"
        );
        // The previous brief survives whole: at the target, or moved aside before the swap.
        let aside: Vec<String> = leftovers(case.dir.path())
            .into_iter()
            .filter(|n| n.starts_with(".out.old-"))
            .collect();
        let kept = if out.exists() {
            out.clone()
        } else {
            case.path(&aside[0])
        };
        assert_eq!(
            snapshot(&kept).len(),
            brief.len(),
            "{step}: the previous brief"
        );
        if step == "moved_old" {
            assert!(!out.exists() && aside.len() == 1, "{step}: killed mid-swap");
        }
        assert!(
            case.path(".out.lock").exists(),
            "{step}: a killed run leaves its lock"
        );
        // The next run takes the dead lock over, restores or cleans, and publishes.
        assert_eq!(run_stopped_at(&case, None), 0, "{step}: the next run");
        assert_eq!(snapshot(&out), brief, "{step}: the brief after recovery");
        assert_eq!(leftovers(case.dir.path()), Vec::<String>::new(), "{step}");
        assert!(!case.path(".out.lock").exists(), "{step}: lock released");
        pipeline::verify(&out, false).unwrap_or_else(|e| panic!("{step}: {e}"));
    }
}

#[test]
fn a_concurrent_run_on_the_same_folder_is_refused() {
    let case = small_case();
    let out = case.path("out");
    // A lock held by a running process (this test's own).
    fs::write(case.path(".out.lock"), format!("{}\n", std::process::id())).unwrap();
    let err = case.run_to_err(&out, None);
    assert_error(
        &err,
        7,
        &["another vnr-brief run", "is writing this output folder"],
    );
    assert!(!out.exists());
    assert!(
        case.path(".out.lock").exists(),
        "someone else's lock is kept"
    );
}

// ---------------------------------------------------------------------------------------------
// Class 2: extreme magnitudes and unbounded sizes are refused up front, never a hang
// ---------------------------------------------------------------------------------------------

const DEADLINE: Duration = Duration::from_secs(120);

/// `check` and `run` both refuse a spec edit with exit 3, naming `field`.
#[track_caller]
fn refused_by_check_and_run(from: &str, to: &str, field: &str) {
    let case = Case::csv().edit(from, to);
    let spec = case.write();
    let spec = spec.to_str().unwrap();
    let dir = case.dir.path();
    assert_exit(&run_bin(dir, &["check", spec], DEADLINE), 3, &[field]);
    assert_exit(&run_bin(dir, &["run", spec], DEADLINE), 3, &[field]);
}

#[test]
fn benefit_of_1e308_is_refused() {
    refused_by_check_and_run("benefit = 150000", "benefit = 1e308", ".benefit");
}

#[test]
fn benefit_of_a_million_percent_is_refused() {
    refused_by_check_and_run("benefit = 10", "benefit = 1e6", ".benefit");
}

#[test]
fn gdp_of_1e300_and_1e_300_are_refused() {
    refused_by_check_and_run("gdp = 2.1e16", "gdp = 1e-300", "macro.gdp");
    refused_by_check_and_run("gdp = 2.1e16", "gdp = 1e300", "macro.gdp");
    refused_by_check_and_run(
        "ppp_factor = 4_700",
        "ppp_factor = 1e-300",
        "macro.ppp_factor",
    );
}

#[test]
fn infinite_poverty_line_is_refused() {
    refused_by_check_and_run(
        "poverty_line = 540000",
        "poverty_line = inf",
        ".poverty_line",
    );
    refused_by_check_and_run(
        "[spot]",
        "[spot]\ninternational_lines = [3.0, 1e300]",
        "spot.international_lines[1]",
    );
}

#[test]
fn a_billion_bootstrap_replicates_are_refused() {
    refused_by_check_and_run(
        "[lnob]",
        "[uncertainty]\nreplicates = 1000000000\n\n[lnob]",
        "uncertainty.replicates",
    );
}

#[test]
fn too_many_circumstances_on_one_indicator_are_refused() {
    let extra: String = (0..9)
        .map(|k| {
            format!("[[circumstance]]\nid = \"c{k}\"\ncolumn = \"age\"\nlabel = \"C{k}\"\nkind = \"numeric\"\n\n")
        })
        .collect();
    let ids: Vec<String> = (0..9).map(|k| format!("\"c{k}\"")).collect();
    let case = Case::csv()
        .edit("[[indicator]]", &format!("{extra}[[indicator]]"))
        .edit(
            "circumstances = [\"wealth\", \"residence\", \"head_education\", \"head_sex\", \"household_size\"]",
            &format!("circumstances = [{}]", ids.join(", ")),
        );
    let spec = case.write();
    let r = run_bin(
        case.dir.path(),
        &["check", spec.to_str().unwrap()],
        DEADLINE,
    );
    assert_exit(
        &r,
        3,
        &["indicator 'electricity'.circumstances", "at most 8"],
    );
}

/// A data edit that must be refused by `run` with exit 5 within the deadline.
#[track_caller]
fn data_refused(column: &str, value: &str, needles: &[&str]) {
    let case = Case::csv().edit(
        "formats = [\"md\", \"typ\", \"pdf\", \"xlsx\"]",
        "formats = [\"md\"]",
    );
    for wave in WAVES {
        case.edit_csv(wave, |header, rows| {
            let c = header.iter().position(|h| h == column).unwrap();
            for r in rows.iter_mut() {
                r[c] = value.to_string();
            }
        });
    }
    case.lock();
    let out = case.path("out");
    let r = run_bin(
        case.dir.path(),
        &[
            "run",
            case.spec_path().to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        DEADLINE,
    );
    assert_exit(&r, 5, needles);
    assert!(!out.exists());
}

#[test]
fn weights_of_1e300_are_refused() {
    data_refused(
        "hh_weight",
        "1e300",
        &["weight column `hh_weight`", "between"],
    );
}

#[test]
fn subnormal_weights_are_refused() {
    data_refused("hh_weight", "1e-310", &["weight column `hh_weight`"]);
}

#[test]
fn welfare_of_1e300_is_refused() {
    data_refused(
        "consumption_pc",
        "1e300",
        &["welfare column `consumption_pc`"],
    );
}

#[test]
fn household_size_of_1e300_is_refused() {
    data_refused("hhsize", "1e300", &["household_size column `hhsize`"]);
}

#[test]
fn control_the_small_case_runs_within_the_deadline() {
    let case = small_case();
    let out = case.path("out");
    let r = run_bin(
        case.dir.path(),
        &[
            "run",
            case.spec_path().to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        DEADLINE,
    );
    assert_exit(&r, 0, &[]);
    assert!(PathBuf::from(&out).join("manifest.json").is_file());
}

// ---------------------------------------------------------------------------------------------
// Class 4: data that contradicts itself is an error naming the column and the first case
// ---------------------------------------------------------------------------------------------

/// Set `column` to `value` on every row of the first household of wave 2021.
fn edit_first_household(case: &Case, column: &str, value: &str) {
    case.edit_csv("nusantara_2021", |header, rows| {
        let c = header.iter().position(|h| h == column).unwrap();
        let first = rows[0][0].clone();
        let n = rows.iter().filter(|r| r[0] == first).count();
        assert!(n > 1, "test bug: the first household has one row");
        for r in rows.iter_mut().filter(|r| r[0] == first) {
            r[c] = value.to_string();
        }
    });
}

#[test]
fn a_household_size_that_does_not_count_its_rows_is_refused() {
    let case = Case::csv();
    edit_first_household(&case, "hhsize", "1");
    let err = case.lock_and_run_err();
    assert_error(
        &err,
        5,
        &[
            "household_size column `hhsize`: expected the number of the household's rows",
            "1 household(s) differ",
            "first: household 100000101 has",
            "and size 1",
        ],
    );
}

#[test]
fn household_values_that_differ_between_members_are_refused() {
    for (column, field, value) in [
        ("consumption_pc", "welfare", "123.5"),
        ("psu", "psu", "42"),
        ("urban", "urban", "Urban"),
        ("region", "region", "Somewhere"),
    ] {
        let case = Case::csv();
        // Only the head's row: the household's members then disagree.
        case.edit_csv("nusantara_2021", |header, rows| {
            let c = header.iter().position(|h| h == column).unwrap();
            let flipped = if rows[0][c] == value { "Rural" } else { value };
            rows[0][c] = flipped.to_string();
        });
        let err = case.lock_and_run_err();
        assert_error(
            &err,
            5,
            &[
                &format!("{field} column `{column}`: expected one value per household"),
                "1 household(s) have several (first: household 100000101)",
            ],
        );
    }
}

#[test]
fn a_repeated_csv_column_name_is_refused() {
    let case = Case::csv();
    let path = case.path("data/nusantara_2021.csv");
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, text.replacen(",line,", ",sex,", 1)).unwrap();
    let err = case.lock_and_run_err();
    assert_error(
        &err,
        4,
        &[
            "nusantara_2021.csv",
            "the header names column `sex` twice (fields 8 and 10)",
        ],
    );
}

#[test]
fn a_control_character_in_a_text_value_is_refused_with_its_column_and_row() {
    for c in ['\u{b}', '\u{1b}', '\u{7f}'] {
        let case = Case::csv();
        case.edit_csv("nusantara_2021", |header, rows| {
            let col = header.iter().position(|h| h == "region").unwrap();
            rows[4][col] = format!("Barat{c}Raya");
        });
        let err = case.lock_and_run_err();
        let code = format!("U+{:04X}", c as u32);
        assert_error(
            &err,
            4,
            &["column `region`, data row 5", &code, "printable text"],
        );
    }
}

#[test]
fn a_design_with_one_psu_in_every_stratum_is_refused_unless_lone_psus_are_adjusted() {
    // The PSU column set to the stratum: every stratum is one PSU, and every linearised SE
    // would be 0 under the certainty rule.
    let lonely = small_case().edit("psu = \"psu\"", "psu = \"province\"");
    lonely.lock();
    let err = lonely.run_err();
    assert_error(
        &err,
        5,
        &[
            "strata column `province` and psu column `province`: every stratum has a single PSU",
            "uncertainty.lonely_psu = \"adjust\"",
        ],
    );
    // Adjusted, the run goes through, every SE is positive, and the methods text says why.
    let adjusted = Case::csv()
        .edit(
            "formats = [\"md\", \"typ\", \"pdf\", \"xlsx\"]",
            "formats = [\"md\"]",
        )
        .edit("psu = \"psu\"", "psu = \"province\"")
        .edit("psu = \"psu\"", "psu = \"province\"")
        .edit("[lnob]", "[uncertainty]\nlonely_psu = \"adjust\"\n\n[lnob]");
    adjusted.lock();
    let out = adjusted.path("out");
    pipeline::run(&adjusted.spec_path(), &opts(&out)).unwrap();
    let results: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("results.json")).unwrap()).unwrap();
    let design = &results["waves"][0]["design"];
    assert_eq!(design["lonely_psu"], "adjust");
    assert_eq!(design["lonely_strata"], design["strata"]);
    assert_eq!(design["lonely_weight_share"], 1.0);
    for i in results["waves"][0]["indicators"].as_array().unwrap() {
        let se = i["rate_se"].as_f64().unwrap();
        assert!(se > 0.0, "{}: SE {se}", i["id"]);
    }
    let brief = fs::read_to_string(out.join("brief.md")).unwrap();
    let strata = design["strata"].as_u64().unwrap();
    assert!(
        brief.contains(&format!(
            "In wave 2021, {strata} of {strata} strata (100.0% of the weighted sample) have a \
             single primary sampling unit; the standard errors compare that unit with the \
             population average"
        )),
        "{brief}"
    );
}

#[test]
fn narrow_integer_columns_in_parquet_are_read_like_any_integer() {
    // A wave whose integer columns are stored as UInt8/Int16/UInt32 gives the same results as
    // the CSV it came from.
    let case = small_case();
    let out_csv = case.path("out_csv");
    pipeline::run(&case.spec_path(), &opts(&out_csv)).unwrap();
    use polars::prelude::*;
    for w in WAVES {
        let csv = case.path(&format!("data/{w}.csv"));
        let mut df = CsvReadOptions::default()
            .with_has_header(true)
            .try_into_reader_with_file_path(Some(csv.clone()))
            .unwrap()
            .finish()
            .unwrap();
        for (name, dtype) in [
            ("electricity", DataType::UInt8),
            ("urban_code", DataType::UInt8),
            ("age", DataType::Int16),
            ("hhsize", DataType::UInt8),
            ("psu", DataType::UInt32),
        ] {
            if let Ok(c) = df.column(name) {
                let narrowed = c.cast(&dtype).unwrap();
                df.with_column(narrowed).unwrap();
            }
        }
        let file = fs::File::create(case.path(&format!("data/{w}.parquet"))).unwrap();
        ParquetWriter::new(file).finish(&mut df).unwrap();
        fs::remove_file(csv).unwrap();
    }
    let case = case
        .edit(".csv\"", ".parquet\"")
        .edit(".csv\"", ".parquet\"");
    case.lock();
    let out = case.path("out_parquet");
    pipeline::run(&case.spec_path(), &opts(&out)).expect("narrow integer columns are read");
    let waves = |dir: &Path| {
        let r: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(dir.join("results.json")).unwrap()).unwrap();
        serde_json::to_string(&r["waves"]).unwrap()
    };
    let (a, b) = (waves(&out_csv), waves(&out));
    assert!(a.len() > 10_000, "test bug: no wave results");
    assert!(
        a == b,
        "the Parquet waves give other results than the CSV ones"
    );
}

// ---------------------------------------------------------------------------------------------
// Classes 6 and 7: what `check` can validate it does; ids, names and labels cannot act
// ---------------------------------------------------------------------------------------------

#[test]
fn impossible_dates_are_refused_by_check() {
    for date in [
        "2026-02-31",
        "2025-02-29",
        "2026-04-31",
        "2026-0é-01",
        "+026-01-01",
    ] {
        refused_by_check_and_run(
            "reference_date = \"2026-06-30\"",
            &format!("reference_date = \"{date}\""),
            "brief.reference_date",
        );
    }
    // A leap day is a date.
    let case = Case::csv().edit(
        "reference_date = \"2026-06-30\"",
        "reference_date = \"2028-02-29\"",
    );
    assert!(vnr_brief::spec::load(&case.write()).is_ok());
}

#[test]
fn ids_that_could_name_other_files_or_inject_markup_are_refused() {
    for (from, to, what) in [
        (
            "id = \"electricity\"",
            "id = \"../../etc\"",
            "indicator \"../../etc\"",
        ),
        (
            "id = \"electricity\"",
            "id = \"a\\\"b\"",
            "indicator \"a\"b\"",
        ),
        (
            "id = \"electricity\"",
            "id = \"x\\\", width: 1cm) #panic(\\\"\"",
            "an id names files",
        ),
        ("id = \"child\"", "id = \"a/b\"", "scenario \"a/b\""),
        ("id = \"2021\"", "id = \"20 21\"", "wave \"20 21\""),
        (
            "id = \"wealth\"",
            "id = \".hidden\"",
            "circumstance \".hidden\"",
        ),
    ] {
        refused_by_check_and_run(from, to, what);
    }
}

#[test]
fn control_characters_in_labels_are_refused() {
    refused_by_check_and_run("label = \"Wealth\"", "label = \"Wea\\u000Blth\"", "U+000B");
    refused_by_check_and_run(
        "country = \"Nusantara (synthetic)\"",
        "country = \"Nusantara\\u0000\"",
        "brief.country: contains the control character U+0000",
    );
}

#[test]
fn a_spec_file_name_that_is_not_a_safe_id_is_refused() {
    let case = Case::csv();
    let odd = case.path("my brief `#x`.toml");
    fs::write(&odd, &case.spec_text).unwrap();
    let err = vnr_brief::spec::load(&odd).unwrap_err();
    assert_error(&err, 3, &["names the brief and its output folder"]);
}

#[test]
fn a_hand_edited_results_json_cannot_inject_through_an_id() {
    let case = small_case();
    let out = case.path("out");
    pipeline::run(&case.spec_path(), &opts(&out)).unwrap();
    let text = fs::read_to_string(out.join("results.json")).unwrap();
    let evil = text.replacen(
        "\"spec_name\": \"demo\"",
        "\"spec_name\": \"demo`](x) #include \\\"/etc/passwd\\\"\"",
        1,
    );
    assert_ne!(evil, text);
    let evil_path = case.path("evil.json");
    fs::write(&evil_path, evil).unwrap();
    let err = pipeline::rerender(&evil_path, &case.path("re"), None).unwrap_err();
    assert_error(&err, 4, &["evil.json", "is not one a spec allows"]);
    assert!(!case.path("re").exists());
}

#[test]
fn labels_that_look_like_formulas_are_neutralised_in_the_annex() {
    let case = Case::csv()
        .edit(
            "formats = [\"md\", \"typ\", \"pdf\", \"xlsx\"]",
            "formats = [\"md\"]",
        )
        .edit(
            "label = \"Wealth\"",
            "label = \"=HYPERLINK(\\\"http://x\\\")\"",
        )
        .edit("Q1 = \"Poorest 20%\"", "Q1 = \"+cmd|' /C calc'!A0\"");
    case.lock();
    let out = case.path("out");
    pipeline::run(&case.spec_path(), &opts(&out)).unwrap();
    for table in ["indicators.csv", "tree_leaves.csv", "regions.csv"] {
        let csv = fs::read_to_string(out.join("tables").join(table)).unwrap();
        for cell in csv.lines().flat_map(|l| l.split(',')) {
            let cell = cell.trim_start_matches('"');
            assert!(
                !cell.starts_with(['=', '+', '@']),
                "{table}: a cell starts a formula: {cell}"
            );
        }
    }
    let leaves = fs::read_to_string(out.join("tables/tree_leaves.csv")).unwrap();
    assert!(
        leaves.contains("'=HYPERLINK") || leaves.contains("'+cmd"),
        "{leaves}"
    );
}

// ---------------------------------------------------------------------------------------------
// Class 8: links never lead a spec's reads outside its folder
// ---------------------------------------------------------------------------------------------

/// A file outside the case folder, and its first line, which must never appear in a message.
fn outside_secret() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("secret.csv");
    fs::write(&secret, "TOP-SECRET-FIRST-LINE\n1,2\n").unwrap();
    (dir, secret)
}

#[test]
fn a_wave_file_that_links_outside_the_spec_folder_is_refused() {
    let case = Case::csv();
    let (_keep, secret) = outside_secret();
    let wave = case.path("data/nusantara_2021.csv");
    fs::remove_file(&wave).unwrap();
    std::os::unix::fs::symlink(&secret, &wave).unwrap();
    let spec = case.write();
    for r in [
        run_bin(case.dir.path(), &["lock", spec.to_str().unwrap()], DEADLINE),
        run_bin(case.dir.path(), &["run", spec.to_str().unwrap()], DEADLINE),
    ] {
        assert_exit(
            &r,
            4,
            &["nusantara_2021.csv", "leads outside the spec's folder"],
        );
        assert!(!r.1.contains("TOP-SECRET"), "{}", r.1);
    }
}

#[test]
fn a_data_folder_that_links_outside_is_refused() {
    let case = Case::csv();
    let outside = tempfile::tempdir().unwrap();
    for w in WAVES {
        let f = format!("{w}.csv");
        fs::copy(case.path(&format!("data/{f}")), outside.path().join(&f)).unwrap();
    }
    fs::remove_dir_all(case.path("data")).unwrap();
    std::os::unix::fs::symlink(outside.path(), case.path("data")).unwrap();
    let spec = case.write();
    let err =
        vnr_brief::io::inputs::write_lock(&vnr_brief::spec::load(&spec).unwrap()).unwrap_err();
    assert_error(&err, 4, &["leads outside the spec's folder"]);
}

#[test]
fn a_template_file_that_links_outside_its_folder_is_refused() {
    let case = small_case();
    let tpl = case.path("tpl");
    copy_dir(&Path::new(ROOT).join("report_templates"), &tpl);
    let (_keep, secret) = outside_secret();
    fs::remove_file(tpl.join("md/lnob.md")).unwrap();
    std::os::unix::fs::symlink(&secret, tpl.join("md/lnob.md")).unwrap();
    let err = case.run_to_err(&case.path("out"), Some(tpl));
    assert_error(
        &err,
        6,
        &["md/lnob.md", "leads outside the template folder"],
    );
    assert!(!err.to_string().contains("TOP-SECRET"));
    assert!(!case.path("out").exists());
}

#[test]
fn a_spec_template_folder_that_links_outside_is_refused() {
    let outside = tempfile::tempdir().unwrap();
    copy_dir(&Path::new(ROOT).join("report_templates"), outside.path());
    let case = Case::csv().edit("[brief]", "[brief]\ntemplates = \"tpl\"");
    case.lock();
    std::os::unix::fs::symlink(outside.path(), case.path("tpl")).unwrap();
    let err = case.run_err();
    assert_error(
        &err,
        3,
        &["brief.templates", "leads outside the spec's folder"],
    );
}

#[test]
fn welfare_zero_for_everyone_is_refused() {
    data_refused(
        "consumption_pc",
        "0",
        &["welfare column `consumption_pc`", "zero for every record"],
    );
}

// ---------------------------------------------------------------------------------------------
// Class 10: verify re-hashes the templates too
// ---------------------------------------------------------------------------------------------

#[test]
fn verify_rehashes_the_templates_the_manifest_lists() {
    let case = small_case();
    let tpl = case.path("tpl");
    copy_dir(&Path::new(ROOT).join("report_templates"), &tpl);
    let out = case.path("out");
    pipeline::run(
        &case.spec_path(),
        &RunOptions {
            out: Some(out.clone()),
            templates: Some(tpl.clone()),
            formats: None,
        },
    )
    .unwrap();
    let report = pipeline::verify(&out, false).expect("an untouched brief verifies");
    assert!(report.contains("templates"), "{report}");
    // A template edited after the run is caught, though every output still matches.
    let lnob = tpl.join("md/lnob.md");
    let text = fs::read_to_string(&lnob).unwrap();
    fs::write(&lnob, format!("{text}\n<!-- edited -->\n")).unwrap();
    let err = pipeline::verify(&out, false).unwrap_err();
    assert_error(&err, 8, &["template md/lnob.md", "manifest says"]);
}

#[test]
fn a_brief_records_its_paths_relative_to_itself_and_reruns_from_anywhere() {
    // Run from the case folder with relative paths, then verify --rerun from another folder: the
    // template folder and the reproduce line are relative to the brief, not the working folder.
    let case = small_case();
    copy_dir(&Path::new(ROOT).join("report_templates"), &case.path("tpl"));
    let spec = case.spec_path();
    let spec_name = spec.file_name().unwrap().to_str().unwrap();
    let args = ["run", spec_name, "--templates", "tpl", "--out", "out"];
    let limit = Duration::from_secs(300);
    assert_exit(&run_bin(case.path("").as_path(), &args, limit), 0, &[]);
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(case.path("out/manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["template_source"], "../tpl");
    assert_eq!(
        manifest["reproduce"],
        format!(
            "(from this folder) vnr-brief run ../{spec_name} --templates ../tpl --out NEW_FOLDER"
        )
    );
    let elsewhere = case.path("elsewhere");
    fs::create_dir(&elsewhere).unwrap();
    let brief = case.path("out");
    let verify = ["verify", brief.to_str().unwrap(), "--rerun"];
    assert_exit(&run_bin(&elsewhere, &verify, limit), 0, &[]);
}

#[test]
fn lock_says_which_inputs_changed_since_the_previous_lock() {
    let case = small_case();
    let lock = || {
        cli::execute(cli::Command::Lock {
            spec: case.spec_path(),
        })
        .unwrap()
    };
    let first = lock();
    assert_eq!(first.matches("(unchanged)").count(), 2, "{first}");
    // A corrected older wave: the re-lock names it, with the hash it replaces.
    let old = &case.path("data/nusantara_2021.csv");
    let before = inputs::sha256_hex(&fs::read(old).unwrap());
    cli::write_synth(old, 300, 2031, 0).unwrap();
    let second = lock();
    let changed = second
        .lines()
        .find(|l| l.contains("nusantara_2021.csv"))
        .unwrap();
    assert!(
        changed.contains(&format!(
            "CHANGED since the previous lock, which recorded {before}"
        )),
        "{second}"
    );
    let same = second
        .lines()
        .find(|l| l.contains("nusantara_2024.csv"))
        .unwrap();
    assert!(same.ends_with("(unchanged)"), "{second}");
}

#[test]
fn a_published_digest_tells_the_released_brief_from_a_consistent_rewrite() {
    let case = small_case();
    let out = case.path("out");
    let said = cli::execute(cli::Command::Run {
        spec: case.spec_path(),
        out: Some(out.clone()),
        templates: None,
        formats: Vec::new(),
    })
    .unwrap();
    let digest = pipeline::manifest_digest(&out).unwrap();
    assert!(
        said.contains(&format!("manifest sha256: {digest}")),
        "{said}"
    );
    let verify = |digest: &str| {
        cli::execute(cli::Command::Verify {
            dir: out.clone(),
            rerun: false,
            digest: Some(digest.to_string()),
        })
    };
    assert!(verify(&digest).unwrap().contains("published digest"));
    // Rewrite an output and its manifest entry consistently: the manifest alone still verifies,
    // the published digest does not.
    let brief = out.join("brief.md");
    fs::write(&brief, "A different brief.\n").unwrap();
    let manifest_path = out.join("manifest.json");
    let mut m: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&manifest_path).unwrap()).unwrap();
    for e in m["outputs"].as_array_mut().unwrap() {
        if e["path"] == "brief.md" {
            e["sha256"] = inputs::sha256_hex(b"A different brief.\n").into();
            e["bytes"] = 19.into();
        }
    }
    fs::write(&manifest_path, serde_json::to_string_pretty(&m).unwrap()).unwrap();
    pipeline::verify(&out, false).expect("a consistent rewrite passes the manifest check");
    let err = verify(&digest).unwrap_err();
    assert_error(
        &err,
        8,
        &["the published digest is", "not the brief that was released"],
    );
}

#[test]
fn render_writes_beside_the_run_folder_by_default_so_the_run_still_verifies() {
    let case = small_case();
    let out = case.path("out");
    pipeline::run(&case.spec_path(), &opts(&out)).unwrap();
    let said = cli::execute(cli::Command::Render {
        results: out.join("results.json"),
        out: None,
        templates: None,
        language: None,
    })
    .unwrap();
    assert!(case.path("out-rendered/brief.md").is_file(), "{said}");
    pipeline::verify(&out, false).expect("the run folder is untouched");
    pipeline::verify(&case.path("out-rendered"), false).expect("the rendered folder verifies");
}

#[test]
fn tree_controls_follow_rpart_and_are_bounded() {
    // A negative cp (no complexity stop, as rpart) and a minsplit of the user's are taken.
    let case = Case::csv().edit(
        "world_bank = true",
        "world_bank = false\ncp = -0.5\nminsplit = 150",
    );
    case.lock();
    let out = case.path("out");
    run_into(&case.spec_path(), &out);
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap();
    let tree = &results["waves"][0]["indicators"][0]["tree"];
    assert_eq!(tree["minsplit"], 150, "{tree:#}");
    assert_eq!(tree["cp"], -0.5);
    // Out of range: refused with the field named.
    for (edit, needle) in [
        (
            "cp = 1.5",
            "lnob.cp: expected a number in [-1, 1), found 1.5",
        ),
        (
            "minsplit = 1",
            "lnob.minsplit: expected a whole number of records from 2 to 1e9",
        ),
    ] {
        let err = Case::empty(DEMO.to_string())
            .edit("world_bank = true", edit)
            .load_err();
        assert_error(&err, 3, &[needle]);
    }
}

#[test]
fn circumstances_whose_levels_overflow_a_cell_key_are_an_error() {
    // Eight numeric circumstances on per-household welfare (about 300 distinct values a wave):
    // 300^8 possible cells do not fit in 64 bits. An error naming the indicator, not a panic
    // or a wrapped key.
    let blocks: String = (1..=8)
        .map(|k| {
            format!(
                "[[circumstance]]\nid = \"w{k}\"\ncolumn = \"consumption_pc\"\nlabel = \"W{k}\"\nkind = \"numeric\"\n\n"
            )
        })
        .collect();
    let ids: Vec<String> = (1..=8).map(|k| format!("\"w{k}\"")).collect();
    let case = Case::csv()
        .edit("[[indicator]]", &format!("{blocks}[[indicator]]"))
        .edit(
            "circumstances = [\"wealth\", \"residence\", \"head_education\", \"head_sex\", \"household_size\"]",
            &format!("circumstances = [{}]", ids.join(", ")),
        );
    let err = case.lock_and_run_err();
    assert_error(
        &err,
        5,
        &[
            "indicator 'electricity'",
            "multiply to more than 2^64",
            "w1 ",
        ],
    );
}
