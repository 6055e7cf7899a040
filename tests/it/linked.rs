//! A wave of several files (`[[wave.file]]`): the small synthetic waves split into a person file
//! and a household file (written the way an Indonesian-locale spreadsheet exports CSV: `;` and a
//! decimal comma) give exactly the results of the flat files; the join refuses a repeated key, a
//! missing household record and keys of different types, counts orphan records, and a changed
//! linked file is named by `run` and `verify`.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;

use serde_json::Value;
use vnr_brief::app::pipeline;

use crate::common::case::*;

/// A CSV file of the case as header and rows (the synthetic files have no quoted fields).
fn read_csv(case: &Case, name: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let text = fs::read_to_string(case.path(&format!("data/{name}.csv"))).unwrap();
    let mut lines = text.lines();
    let split = |l: &str| l.split(',').map(str::to_string).collect::<Vec<_>>();
    let header = split(lines.next().unwrap());
    (header, lines.map(split).collect())
}

fn write_csv(case: &Case, name: &str, header: &[String], rows: &[Vec<String>], semicolon: bool) {
    let sep = if semicolon { ";" } else { "," };
    let cell = |v: &String| {
        if semicolon && v.parse::<f64>().is_ok() {
            v.replace('.', ",")
        } else {
            v.clone()
        }
    };
    let mut out = header.join(sep);
    out.push('\n');
    for r in rows {
        out.push_str(&r.iter().map(cell).collect::<Vec<_>>().join(sep));
        out.push('\n');
    }
    fs::write(case.path(&format!("data/{name}.csv")), out).unwrap();
}

/// Split wave `name` into `<name>_persons.csv` (the household id and every column that varies
/// within a household) and `<name>_households.csv` (one row per household: the id and every
/// column constant within each household), in `;`/decimal-comma CSV. Returns the household
/// columns and the number of households.
fn split_wave(case: &Case, name: &str) -> (Vec<String>, usize) {
    let (header, rows) = read_csv(case, name);
    let id = header.iter().position(|h| h == "hhid").unwrap();
    let mut first: BTreeMap<&str, &Vec<String>> = BTreeMap::new();
    let mut constant = vec![true; header.len()];
    for r in &rows {
        let f = first.entry(r[id].as_str()).or_insert(r);
        for (c, same) in constant.iter_mut().enumerate() {
            *same &= f[c] == r[c];
        }
    }
    let household: Vec<usize> = (0..header.len()).filter(|&c| constant[c]).collect();
    let person: Vec<usize> = (0..header.len())
        .filter(|&c| c == id || !constant[c])
        .collect();
    let pick =
        |cols: &[usize], r: &Vec<String>| cols.iter().map(|&c| r[c].clone()).collect::<Vec<_>>();
    let names = |cols: &[usize]| cols.iter().map(|&c| header[c].clone()).collect::<Vec<_>>();
    let persons: Vec<Vec<String>> = rows.iter().map(|r| pick(&person, r)).collect();
    // Households in id order, not the persons' order: the join must not depend on it.
    let households: Vec<Vec<String>> = first.values().map(|r| pick(&household, r)).collect();
    write_csv(
        case,
        &format!("{name}_persons"),
        &names(&person),
        &persons,
        false,
    );
    write_csv(
        case,
        &format!("{name}_households"),
        &names(&household),
        &households,
        true,
    );
    (names(&household), households.len())
}

/// The case's spec with each wave reading its two split files.
fn linked_case() -> (Case, usize) {
    let mut case = Case::csv();
    let mut households = 0;
    for w in WAVES {
        let (cols, n) = split_wave(&case, w);
        assert!(
            cols.contains(&"hh_weight".to_string()) && cols.len() > 5,
            "{cols:?}"
        );
        households = n;
        let file = format!(
            "path = \"data/{w}_persons.csv\"\n\n[[wave.file]]\nrole = \"household\"\n\
             path = \"data/{w}_households.csv\"\nkeys = [\"hhid\"]\ndelimiter = \";\"\n\
             decimal_comma = true\n"
        );
        // The linked file's table must come after the wave's own keys: move `path` last.
        let block_start = case
            .spec_text
            .find(&format!("path = \"data/{w}.csv\""))
            .unwrap();
        let block_end = case.spec_text[block_start..]
            .find("\n\n[")
            .map(|i| block_start + i + 1)
            .unwrap();
        let mut text = case.spec_text.clone();
        text.insert_str(block_end, &file);
        text.replace_range(
            block_start..block_start + format!("path = \"data/{w}.csv\"\n").len(),
            "",
        );
        case.spec_text = text;
    }
    (case, households)
}

fn run_results(case: &Case) -> Value {
    case.lock_and_run_results()
}

/// results.json without what names the files.
fn without_inputs(mut v: Value) -> Value {
    v.as_object_mut().unwrap().remove("inputs");
    for w in v["waves"].as_array_mut().unwrap() {
        w.as_object_mut().unwrap().remove("links");
    }
    v
}

#[test]
fn a_person_file_and_a_household_file_give_the_flat_files_results() {
    let flat = run_results(&Case::csv().edit(
        "formats = [\"md\", \"typ\", \"pdf\", \"xlsx\"]",
        "formats = [\"md\"]",
    ));
    let (case, households) = linked_case();
    let case = case.edit(
        "formats = [\"md\", \"typ\", \"pdf\", \"xlsx\"]",
        "formats = [\"md\"]",
    );
    let linked = run_results(&case);
    for (w, wave) in linked["waves"].as_array().unwrap().iter().enumerate() {
        let link = &wave["links"][0];
        assert_eq!(link["role"], "household");
        assert_eq!(link["records"], households as u64, "wave {w}");
        assert_eq!(link["matched_rows"], wave["records"], "wave {w}");
        assert_eq!(link["unmatched_rows"], 0);
        assert_eq!(link["orphan_records"], 0);
        let columns: BTreeSet<&str> = link["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        assert!(
            columns.contains("hh_weight") && !columns.contains("hhid"),
            "{columns:?}"
        );
    }
    let inputs = linked["inputs"].as_array().unwrap();
    assert_eq!(inputs.len(), 4, "two files per wave: {inputs:?}");
    assert_eq!(inputs[1]["role"], "household");
    assert!(inputs[0].get("role").is_none());
    assert_eq!(without_inputs(linked), without_inputs(flat));
}

/// Edit the first wave's household file (as header and rows, `;` and decimal comma).
fn edit_households(case: &Case, f: impl FnOnce(&mut Vec<Vec<String>>)) {
    let name = format!("{}_households", WAVES[0]);
    let path = case.path(&format!("data/{name}.csv"));
    let text = fs::read_to_string(&path).unwrap();
    let mut lines = text.lines();
    let header: Vec<String> = lines
        .next()
        .unwrap()
        .split(';')
        .map(str::to_string)
        .collect();
    let mut rows: Vec<Vec<String>> = lines
        .map(|l| l.split(';').map(str::to_string).collect())
        .collect();
    f(&mut rows);
    let mut out = header.join(";");
    out.push('\n');
    for r in rows {
        out.push_str(&r.join(";"));
        out.push('\n');
    }
    fs::write(path, out).unwrap();
}

#[test]
fn a_household_id_twice_in_the_household_file_is_refused() {
    let (case, _) = linked_case();
    edit_households(&case, |rows| {
        let copy = rows[3].clone();
        rows.push(copy);
    });
    let err = case.lock_and_run_err().to_string();
    assert!(err.contains("file 'household'"), "{err}");
    assert!(err.contains("2 record(s) share a key"), "{err}");
    assert!(err.contains("`hhid` ="), "{err}");
}

#[test]
fn a_member_without_a_household_record_is_refused() {
    let (case, _) = linked_case();
    edit_households(&case, |rows| {
        rows.remove(0);
    });
    let err = case.lock_and_run_err().to_string();
    assert!(err.contains("find no record in this file"), "{err}");
    assert!(err.contains("`hhid` ="), "{err}");
}

#[test]
fn a_household_without_members_is_counted() {
    let (case, _) = linked_case();
    edit_households(&case, |rows| {
        let mut extra = rows[0].clone();
        extra[0] = "99999999".into();
        rows.push(extra);
    });
    let results = run_results(&case.edit(
        "formats = [\"md\", \"typ\", \"pdf\", \"xlsx\"]",
        "formats = [\"md\"]",
    ));
    let link = &results["waves"][0]["links"][0];
    assert_eq!(link["orphan_records"], 1, "{link}");
    assert_eq!(link["unmatched_rows"], 0, "{link}");
}

#[test]
fn text_keys_against_number_keys_are_refused() {
    let (case, _) = linked_case();
    edit_households(&case, |rows| {
        for r in rows.iter_mut() {
            r[0] = format!("H{}", r[0]);
        }
    });
    let err = case.lock_and_run_err().to_string();
    assert!(
        err.contains("key `hhid` holds text here but the main file's `hhid` holds numbers"),
        "{err}"
    );
}

#[test]
fn a_changed_linked_file_is_named_by_run_and_verify() {
    let (case, _) = linked_case();
    let case = case.edit(
        "formats = [\"md\", \"typ\", \"pdf\", \"xlsx\"]",
        "formats = [\"md\"]",
    );
    run_results(&case);
    let out = case.path("out");
    pipeline::verify(&out, false).unwrap();
    edit_households(&case, |rows| {
        let last = rows[0].len() - 1;
        rows[0][last].push('0');
    });
    let name = format!("data/{}_households.csv", WAVES[0]);
    let err = pipeline::verify(&out, false).unwrap_err().to_string();
    assert!(err.contains(&format!("input ../{name}: sha256")), "{err}");
    let err = case.run_to_err(&case.path("out2"), None).to_string();
    assert!(err.contains(&name) && err.contains("sha256"), "{err}");
}

#[test]
fn a_semicolon_file_read_as_comma_separated_says_which_delimiter_to_set() {
    let (case, _) = linked_case();
    let err = case
        .edit("delimiter = \";\"\ndecimal_comma = true\n", "")
        .lock_and_run_err()
        .to_string();
    assert!(err.contains("households.csv"), "{err}");
    assert!(err.contains("delimiter = \";\""), "{err}");
}

#[test]
fn an_excel_workbook_gets_an_export_hint() {
    let case = Case::csv();
    // An .xlsx starts as a zip archive does.
    fs::write(
        case.path(&format!("data/{}.csv", WAVES[0])),
        b"PK\x03\x04\x14\x00\x06\x00rest",
    )
    .unwrap();
    let err = case.lock_and_run_err().to_string();
    assert!(
        err.contains("Excel workbook") && err.contains("export the sheet as CSV"),
        "{err}"
    );
    let err = Case::csv()
        .edit(
            &format!("path = \"data/{}.csv\"", WAVES[0]),
            "path = \"data/survey.xlsx\"",
        )
        .load_err()
        .to_string();
    assert!(err.contains("survey.xlsx is an Excel workbook"), "{err}");
}

/// Move the first wave's `consumption_pc` out of the household file into a consumption module:
/// two item records per household (the amount, and a zero), listed in reverse order.
fn consumption_module(case: &Case) {
    let name = format!("{}_households", WAVES[0]);
    let path = case.path(&format!("data/{name}.csv"));
    let text = fs::read_to_string(&path).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(';').collect();
    let c = header.iter().position(|h| *h == "consumption_pc").unwrap();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(';').collect()).collect();
    let mut module = String::from("hhid;item;consumption_pc\n");
    for r in rows.iter().rev() {
        module.push_str(&format!("{};2;0\n{};1;{}\n", r[0], r[0], r[c]));
    }
    fs::write(
        case.path(&format!("data/{}_consumption.csv", WAVES[0])),
        module,
    )
    .unwrap();
    let drop = |r: &Vec<&str>| {
        let mut r = r.clone();
        r.remove(c);
        r.join(";")
    };
    let mut out = drop(&header.to_vec());
    out.push('\n');
    for r in &rows {
        out.push_str(&drop(r));
        out.push('\n');
    }
    fs::write(path, out).unwrap();
}

#[test]
fn a_consumption_module_summed_per_household_gives_the_same_welfare() {
    let (case, households) = linked_case();
    consumption_module(&case);
    let module = format!(
        "\n[[wave.file]]\nrole = \"consumption\"\npath = \"data/{}_consumption.csv\"\n\
         keys = [\"hhid\"]\nsum = [\"consumption_pc\"]\nrequired = true\ndelimiter = \";\"\n\
         decimal_comma = true\n",
        WAVES[0]
    );
    let anchor = format!("path = \"data/{}_households.csv\"\nkeys = [\"hhid\"]\ndelimiter = \";\"\ndecimal_comma = true\n", WAVES[0]);
    let case = case.edit(&anchor, &format!("{anchor}{module}"));
    let linked = run_results(&case);
    let link = &linked["waves"][0]["links"][1];
    assert_eq!(link["role"], "consumption");
    assert_eq!(
        link["records"], households as u64,
        "one record per household after the sum"
    );
    assert_eq!(link["columns"], serde_json::json!(["consumption_pc"]));
    let (flat, _) = linked_case();
    let flat = run_results(&flat);
    assert_eq!(without_inputs(linked), without_inputs(flat));
}

/// `specs/susenas_example.toml` with its four committed files, in a scratch folder, and the same
/// spec pointed at one flat file of the same synthetic survey (with the programmes module linked).
fn susenas_cases() -> (Case, Case) {
    let text = fs::read_to_string(format!("{ROOT}/specs/susenas_example.toml"))
        .unwrap()
        .replace("formats = [\"md\", \"typ\", \"pdf\"]", "formats = [\"md\"]");
    let linked = Case::empty(text.clone());
    for part in ["individuals", "households", "consumption", "programmes"] {
        let name = format!("data/susenas_2024_{part}.csv");
        fs::copy(format!("{ROOT}/specs/{name}"), linked.path(&name)).unwrap();
    }
    let programmes_link = &text[text.find("[[wave.file]]\nrole = \"programmes\"").unwrap()..];
    let programmes_link = programmes_link[..programmes_link.find("\n\n").unwrap()].to_string();
    // The same survey as one file, welfare as the generator wrote it.
    let start = text
        .find("path = \"data/susenas_2024_individuals.csv\"")
        .unwrap();
    let end = text.find("[macro]").unwrap();
    let wave = text[start..end]
        .replace("data/susenas_2024_individuals.csv", "data/flat.csv")
        .split("\n[[wave.file]]")
        .next()
        .unwrap()
        .to_string();
    let mut flat_text = format!(
        "{}{wave}\n\n{programmes_link}\n\n{}",
        &text[..start],
        &text[end..]
    );
    flat_text = flat_text.replace(
        "[[derive]]\nname = \"consumption_pc\"\nexpr = \"value_month / hhsize\"\n",
        "",
    );
    let flat = Case::empty(flat_text);
    vnr_brief::app::cli::write_synth(&flat.path("data/flat.csv"), 2000, 2031, 1).unwrap();
    let name = "data/susenas_2024_programmes.csv";
    fs::copy(format!("{ROOT}/specs/{name}"), flat.path(name)).unwrap();
    (linked, flat)
}

#[test]
fn the_susenas_example_runs_lnob_and_spot_from_linked_files() {
    let (linked_case, flat_case) = susenas_cases();
    // The committed files are what the command in the spec's header writes.
    let fresh = tempfile::tempdir().unwrap();
    let files = vnr_brief::app::cli::write_synth_linked(
        &fresh.path().join("susenas_2024.csv"),
        2000,
        2031,
        1,
    )
    .unwrap();
    for f in &files {
        let name = f.file_name().unwrap().to_str().unwrap();
        assert_eq!(
            fs::read(f).unwrap(),
            fs::read(format!("{ROOT}/specs/data/{name}")).unwrap(),
            "specs/data/{name} is not what `synth --layout linked` writes"
        );
    }
    let linked = run_results(&linked_case);
    let flat = run_results(&flat_case);
    let links = linked["waves"][0]["links"].as_array().unwrap();
    assert_eq!(links.len(), 3);
    for link in links {
        assert_eq!(
            link["matched_rows"], linked["waves"][0]["records"],
            "{link}"
        );
        assert_eq!(link["orphan_records"], 0, "{link}");
    }
    assert_eq!(links[1]["records"], 2000);
    // LNOB: the same rates, trees and D as the flat file, exactly.
    assert_eq!(
        linked["waves"][0]["indicators"],
        flat["waves"][0]["indicators"]
    );
    // SPOT: welfare is the module's sum over the household size, which equals the generator's
    // per-capita consumption up to rounding in the last bits.
    let (a, b) = (&linked["spot"]["baseline"], &flat["spot"]["baseline"]);
    assert!(a.is_object(), "SPOT ran: {}", linked["spot"]);
    let close = |x: &Value, y: &Value| {
        let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
        assert!((x - y).abs() <= 1e-12 * y.abs().max(1.0), "{x} vs {y}");
    };
    close(&a["gini"], &b["gini"]);
    close(&a["mean_welfare"], &b["mean_welfare"]);
    let (pa, pb) = (
        a["poverty"].as_array().unwrap(),
        b["poverty"].as_array().unwrap(),
    );
    assert_eq!(pa.len(), pb.len());
    for (x, y) in pa.iter().zip(pb) {
        // No household sits within a rounding error of a line, so the headcount is exact.
        assert_eq!(x["headcount"], y["headcount"]);
        close(&x["gap"], &y["gap"]);
        close(&x["severity"], &y["severity"]);
    }
}

#[test]
fn a_column_the_spec_does_not_use_is_not_read_from_any_file_of_the_wave() {
    let (case, _) = linked_case();
    let case = case.edit(
        "formats = [\"md\", \"typ\", \"pdf\", \"xlsx\"]",
        "formats = [\"md\"]",
    );
    let before = run_results(&case);
    // A text column holding a control character, which is refused in any column that is read,
    // added to the household file and to the person file.
    edit_households(&case, |rows| {
        for r in rows.iter_mut() {
            r.push("bad\u{7}text".into());
        }
    });
    let path = case.path(&format!("data/{}_households.csv", WAVES[0]));
    let text = fs::read_to_string(&path).unwrap();
    let (header, rest) = text.split_once('\n').unwrap();
    fs::write(&path, format!("{header};junk\n{rest}")).unwrap();
    let (mut header, mut rows) = read_csv(&case, &format!("{}_persons", WAVES[0]));
    header.push("junk2".into());
    for r in rows.iter_mut() {
        r.push("bell\u{7}".into());
    }
    write_csv(
        &case,
        &format!("{}_persons", WAVES[0]),
        &header,
        &rows,
        false,
    );
    let after = run_results(&case);
    assert_eq!(without_inputs(after), without_inputs(before));
    // Used (here by a derived variable), the same column is read and refused.
    let used = case.edit(
        "[[indicator]]",
        "[[derive]]\nname = \"junk_copy\"\nexpr = \"junk\"\n\n[[indicator]]",
    );
    let err = used.lock_and_run_err().to_string();
    assert!(err.contains("control character"), "{err}");
    assert!(err.contains("households.csv"), "{err}");
}
