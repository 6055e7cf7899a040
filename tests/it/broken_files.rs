//! Broken survey files are refused, never analysed with part of their records: every small
//! fixture of every input format is cut at every byte (a larger one at every byte of its header
//! and dictionary and at a few hundred offsets spread over its data), has garbage appended, and
//! (SPSS, Stata) has its declared case count altered. Each must end in `Error::Input` naming the
//! file (exit code 4), never in a frame and never in a panic; the targeted cases must say what was
//! wrong (truncated, trailing data, the declared count).
//!
//! CSV has no declared count or end marker, so a cut exactly at a line end, or inside the last
//! field of a line, leaves a well-formed file: those cuts are counted and checked to read the
//! rows they hold; every other cut must be refused naming the line.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use dta::stata::dta::byte_order::ByteOrder;
use dta::stata::dta::dta_reader::DtaReader;
use dta::stata::dta::dta_writer::DtaWriter;
use dta::stata::dta::header::Header;
use dta::stata::dta::release::Release;
use dta::stata::dta::schema::Schema;
use dta::stata::dta::value::Value;
use dta::stata::dta::value_label::ValueLabelSet;
use dta::stata::dta::variable::Variable;
use dta::stata::dta::variable_type::VariableType;
use dta::stata::stata_double::StataDouble;
use dta::stata::stata_int::StataInt;
use dta::stata::stata_long::StataLong;
use polars::prelude::*;
use vnr_brief::io::inputs;
use vnr_brief::spec::FileFormat;

fn fixture(dir: &str, name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(dir)
        .join(name)
}

fn parse(path: &Path, format: FileFormat, bytes: &[u8]) -> vnr_brief::Result<DataFrame> {
    inputs::parse_bytes(path, format, bytes.to_vec())
}

/// `bytes` must be refused with an input error naming the file; its message is returned.
fn refused(path: &Path, format: FileFormat, bytes: &[u8], case: &str) -> String {
    match parse(path, format, bytes) {
        Ok(frame) => panic!(
            "{}: {case}: accepted with {} rows",
            path.display(),
            frame.height()
        ),
        Err(e) => {
            let msg = e.to_string();
            assert_eq!(e.exit_code(), 4, "{case}: {msg}");
            assert!(
                matches!(e, vnr_brief::Error::Input { .. }),
                "{case}: not an input error: {msg}"
            );
            let name = path.file_name().unwrap().to_string_lossy();
            assert!(msg.contains(name.as_ref()), "{case}: file not named: {msg}");
            msg
        }
    }
}

/// Like [`refused`], and the message must contain one of `words`.
fn refused_saying(path: &Path, format: FileFormat, bytes: &[u8], case: &str, words: &[&str]) {
    let msg = refused(path, format, bytes, case);
    assert!(
        words.iter().any(|w| msg.contains(w)),
        "{case}: expected the message to say {words:?}: {msg}"
    );
}

/// Cut offsets: every byte of a file up to ~20 KB; otherwise every byte of the first `dense`
/// bytes (header, dictionary), 300 offsets spread evenly over the rest and its last 16 bytes.
fn cuts(len: usize, dense: usize) -> Vec<usize> {
    if len <= 20_000 {
        return (0..len).collect();
    }
    spread_cuts(len, dense)
}

/// Every byte of the first `dense` bytes, 300 offsets spread evenly over the rest, the last 16.
fn spread_cuts(len: usize, dense: usize) -> Vec<usize> {
    let dense = dense.min(len);
    let mut out: Vec<usize> = (0..dense).collect();
    let spread = 300;
    out.extend((0..spread).map(|k| dense + (len - dense) * k / spread));
    out.extend(len.saturating_sub(16)..len);
    out.sort_unstable();
    out.dedup();
    out
}

/// Trailing garbage: single bytes, zeros, text, `0xFF` (huge lengths wherever one is read), a
/// newline, a copy of the file's own last 64 bytes (a repeated case or record), and 4 KiB of
/// zeros.
fn garbage(bytes: &[u8]) -> Vec<Vec<u8>> {
    vec![
        vec![0],
        vec![0xFF],
        vec![0; 8],
        b"garbage!".to_vec(),
        vec![0xFF; 100],
        b"\n".to_vec(),
        bytes[bytes.len().saturating_sub(64)..].to_vec(),
        vec![0; 4096],
    ]
}

fn with_garbage(bytes: &[u8], tail: &[u8]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    out.extend_from_slice(tail);
    out
}

// ------------------------------------------------------------------------------------------------
// SPSS
// ------------------------------------------------------------------------------------------------

/// The dictionary's end (just past the type 999 record and its filler), found by scanning for
/// those 8 bytes after the header: good enough for the fixtures, whose labels hold no such bytes.
fn spss_dictionary_end(bytes: &[u8]) -> usize {
    let at = bytes[176..]
        .windows(8)
        .position(|w| w == [0xE7, 0x03, 0, 0, 0, 0, 0, 0])
        .expect("a type 999 record");
    176 + at + 8
}

fn spss_with_ncases(bytes: &[u8], n: i32) -> Vec<u8> {
    let mut out = bytes.to_vec();
    assert_eq!(i32::from_le_bytes(out[64..68].try_into().unwrap()), 2);
    out[80..84].copy_from_slice(&n.to_le_bytes());
    out
}

#[test]
fn spss_files_cut_extended_or_miscounted_are_refused() {
    let mut report = Vec::new();
    for name in [
        "plain.sav",
        "bytecode.sav",
        "zlib.zsav",
        "nusantara_2021.sav",
    ] {
        let path = fixture("spss", name);
        let bytes = std::fs::read(&path).unwrap();
        let frame = parse(&path, FileFormat::Spss, &bytes).unwrap();
        let ncases = i32::from_le_bytes(bytes[80..84].try_into().unwrap());
        assert_eq!(usize::try_from(ncases).unwrap(), frame.height(), "{name}");
        let dict_end = spss_dictionary_end(&bytes);
        let offsets = cuts(bytes.len(), dict_end + 1024);
        for &cut in &offsets {
            refused_saying(
                &path,
                FileFormat::Spss,
                &bytes[..cut],
                &format!("{name} cut at byte {cut}"),
                &["truncated"],
            );
        }
        let tails = garbage(&bytes);
        for tail in &tails {
            refused_saying(
                &path,
                FileFormat::Spss,
                &with_garbage(&bytes, tail),
                &format!("{name} with {} bytes appended", tail.len()),
                &["trailing data"],
            );
        }
        let n = ncases;
        let counts = [n - 1, n + 1, 0, 2 * n, i32::MAX];
        for &k in &counts {
            refused_saying(
                &path,
                FileFormat::Spss,
                &spss_with_ncases(&bytes, k),
                &format!("{name} declaring {k} cases"),
                &[&format!("declares {k} cases")],
            );
        }
        refused_saying(
            &path,
            FileFormat::Spss,
            &spss_with_ncases(&bytes, -2),
            &format!("{name} declaring -2 cases"),
            &["declares -2 cases"],
        );
        // -1: the writer did not know the count; the framing alone must then suffice.
        let unknown = spss_with_ncases(&bytes, -1);
        let same = parse(&path, FileFormat::Spss, &unknown).unwrap();
        assert!(same.equals_missing(&frame), "{name} with an unknown count");
        // Without the count, a cut at a case boundary (a whole number of cases, and of
        // bytecode blocks) is well-formed: it may read, but only as the file's first cases.
        let mut unknown_undetectable = 0;
        for &cut in offsets.iter().filter(|&&c| c > dict_end) {
            match parse(&path, FileFormat::Spss, &unknown[..cut]) {
                Err(e) => assert!(e.to_string().contains(name), "{e}"),
                Ok(head) => {
                    let case = format!("{name} with an unknown count cut at byte {cut}");
                    assert_ne!(name, "zlib.zsav", "{case}");
                    assert!(head.height() < frame.height(), "{case}");
                    assert!(
                        head.equals_missing(&frame.head(Some(head.height()))),
                        "{case}"
                    );
                    if name == "plain.sav" {
                        let case_bytes = (bytes.len() - dict_end) / frame.height();
                        assert_eq!((cut - dict_end) % case_bytes, 0, "{case}");
                    }
                    unknown_undetectable += 1;
                }
            }
        }
        report.push(format!(
            "{name}: {} cuts, {} garbage tails, {} altered counts; with the count unknown, {} \
             cuts at a case boundary read as the first cases",
            offsets.len(),
            tails.len(),
            counts.len() + 2,
            unknown_undetectable
        ));
    }
    eprintln!("{}", report.join("\n"));
}

#[test]
fn spss_bytecode_ending_part_way_through_a_case_is_refused() {
    // A file whose end-of-data code (252) comes part-way through a case: `ambers` drops the
    // partial case without a word.
    let path = fixture("spss", "bytecode.sav");
    let bytes = std::fs::read(&path).unwrap();
    let dict_end = spss_dictionary_end(&bytes);
    let mut broken = bytes.clone();
    // The first control block holds the first case's first 8 codes: end the data at its 3rd.
    broken[dict_end + 2] = 252;
    broken.truncate(dict_end + 8);
    let unknown = spss_with_ncases(&broken, -1);
    refused_saying(
        &path,
        FileFormat::Spss,
        &unknown,
        "252 inside a case",
        &["truncated"],
    );
}

// ------------------------------------------------------------------------------------------------
// Stata
// ------------------------------------------------------------------------------------------------

/// The value-label sets of `pandas_114.dta` (`urban`, `water`), to write into generated files.
fn label_sets() -> Vec<ValueLabelSet> {
    let bytes = std::fs::read(fixture("stata", "pandas_114.dta")).unwrap();
    let mut c = DtaReader::new()
        .from_reader(Cursor::new(bytes))
        .read_header()
        .unwrap()
        .read_schema()
        .unwrap();
    c.skip_to_end().unwrap();
    let mut r = c.into_record_reader().unwrap();
    r.skip_to_end().unwrap();
    let mut l = r.into_long_string_reader().unwrap();
    l.skip_to_end().unwrap();
    let mut v = l.into_value_label_reader().unwrap();
    let mut sets = Vec::new();
    while let Some(set) = v.read_value_label_set().unwrap() {
        sets.push(set);
    }
    sets
}

/// A small labelled table written by the `dta` writer at `release` (for releases the fixtures do
/// not cover); None if the writer cannot write that release.
fn write_dta(release: Release, byte_order: ByteOrder, sets: &[ValueLabelSet]) -> Option<Vec<u8>> {
    let old_labels = (release as u8) < 108;
    // Before release 108 a label holds at most 8 bytes: only `urban` fits.
    let usable: Vec<&ValueLabelSet> = sets
        .iter()
        .filter(|s| !old_labels || s.entries().iter().all(|e| e.label().len() <= 8))
        .collect();
    let labelled = |name: &str| usable.iter().any(|s| s.name() == name);
    let var = |t: VariableType, name: &str| {
        let v = Variable::builder(t, name);
        if labelled(name) {
            v.value_label_name(name)
        } else {
            v
        }
    };
    let schema = Schema::builder()
        .add_variable(var(VariableType::Long, "id"))
        .add_variable(var(VariableType::Int, "urban"))
        .add_variable(var(VariableType::Int, "water"))
        .add_variable(var(VariableType::Double, "score"))
        .add_variable(var(VariableType::FixedString(12), "name"))
        .build()
        .ok()?;
    let header = Header::builder(release, byte_order).build();
    let mut records = DtaWriter::new()
        .from_writer(Cursor::new(Vec::new()))
        .write_header(header)
        .ok()?
        .write_schema(schema)
        .ok()?
        .into_record_writer()
        .ok()?;
    let rows: [(i32, i16, i16, f64, &str); 5] = [
        (1, 1, 11, 0.25, "Aceh"),
        (2, 2, 12, -1.5, "Bali"),
        (3, 2, 99, 1e6, "Jawa Barat"),
        (4, 1, 61, 3.0, "Papua"),
        (5, 2, 11, 7.5, "Maluku"),
    ];
    for (id, urban, water, score, name) in rows {
        records
            .write_record(&[
                Value::Long(StataLong::Present(id)),
                Value::Int(StataInt::Present(urban)),
                Value::Int(StataInt::Present(water)),
                Value::Double(StataDouble::Present(score)),
                Value::String(name.into()),
            ])
            .ok()?;
    }
    let mut labels = records
        .into_long_string_writer()
        .ok()?
        .into_value_label_writer()
        .ok()?;
    for set in usable {
        labels.write_value_label_set(set).ok()?;
    }
    Some(labels.finish().ok()?.into_inner())
}

/// Offset and width of the declared observation count.
fn stata_count_field(bytes: &[u8]) -> (usize, usize) {
    if bytes.starts_with(b"<stata_dta>") {
        let at = bytes.windows(3).position(|w| w == b"<N>").unwrap() + 3;
        let release = &bytes[28..31];
        (at, if release == b"117" { 4 } else { 8 })
    } else if bytes[0] == 102 {
        (6, 2)
    } else {
        (6, 4)
    }
}

fn stata_with_count(bytes: &[u8], n: u64) -> Vec<u8> {
    let (at, width) = stata_count_field(bytes);
    let big = if bytes.starts_with(b"<stata_dta>") {
        bytes.windows(3).any(|w| w == b"MSF")
    } else {
        bytes[1] == 1
    };
    let mut out = bytes.to_vec();
    let mut v = n;
    for k in 0..width {
        let slot = if big { at + width - 1 - k } else { at + k };
        out[slot] = (v & 0xFF) as u8;
        v >>= 8;
    }
    out
}

fn stata_count(bytes: &[u8]) -> u64 {
    let (at, width) = stata_count_field(bytes);
    let big = if bytes.starts_with(b"<stata_dta>") {
        bytes.windows(3).any(|w| w == b"MSF")
    } else {
        bytes[1] == 1
    };
    let field = &bytes[at..at + width];
    let fold = |acc: u64, &b: &u8| (acc << 8) | u64::from(b);
    if big {
        field.iter().fold(0, fold)
    } else {
        field.iter().rev().fold(0, fold)
    }
}

/// Where the observations start, for the dense part of the cuts of a large file.
fn stata_data_start(bytes: &[u8]) -> usize {
    bytes
        .windows(6)
        .position(|w| w == b"<data>")
        .map_or(bytes.len().min(4096), |at| at + 6)
}

fn check_stata_file(name: &str, path: &Path, bytes: &[u8], report: &mut Vec<String>) {
    let frame = parse(path, FileFormat::Stata, bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    let n = stata_count(bytes);
    assert_eq!(n, frame.height() as u64, "{name}");
    let offsets = cuts(bytes.len(), stata_data_start(bytes) + 1024);
    for &cut in &offsets {
        refused_saying(
            path,
            FileFormat::Stata,
            &bytes[..cut],
            &format!("{name} cut at byte {cut}"),
            &["truncated"],
        );
    }
    let tails = garbage(bytes);
    for tail in &tails {
        refused_saying(
            path,
            FileFormat::Stata,
            &with_garbage(bytes, tail),
            &format!("{name} with {} bytes appended", tail.len()),
            &["trailing data"],
        );
    }
    let counts = [n - 1, n + 1, 0, 2 * n + 3];
    for &k in &counts {
        refused_saying(
            path,
            FileFormat::Stata,
            &stata_with_count(bytes, k),
            &format!("{name} declaring {k} observations"),
            &[&format!("declares {k} observations")],
        );
    }
    report.push(format!(
        "{name}: {} cuts, {} garbage tails, {} altered counts",
        offsets.len(),
        tails.len(),
        counts.len()
    ));
}

#[test]
fn stata_fixtures_cut_extended_or_miscounted_are_refused() {
    let mut report = Vec::new();
    for name in [
        "pandas_114.dta",
        "pandas_117.dta",
        "pandas_118.dta",
        "pandas_118_strl.dta",
        "pandas_119.dta",
        "readstat_118_tagged.dta",
        "nusantara_2021.dta",
    ] {
        let path = fixture("stata", name);
        let bytes = std::fs::read(&path).unwrap();
        check_stata_file(name, &path, &bytes, &mut report);
    }
    eprintln!("{}", report.join("\n"));
}

#[test]
fn stata_releases_102_to_119_cut_extended_or_miscounted_are_refused() {
    let sets = label_sets();
    let mut written = Vec::new();
    let mut report = Vec::new();
    for release in 102u8..=119 {
        let Ok(r) = Release::try_from(release) else {
            continue;
        };
        for order in [ByteOrder::LittleEndian, ByteOrder::BigEndian] {
            let Some(bytes) = write_dta(r, order, &sets) else {
                continue;
            };
            let name = format!("written_{release}_{order:?}.dta");
            let path = PathBuf::from(&name);
            check_stata_file(&name, &path, &bytes, &mut report);
            written.push(release);
        }
    }
    written.dedup();
    eprintln!("{}", report.join("\n"));
    // The writer covers the old layouts (value labels before 108, 9-byte names before 110) and
    // the tagged ones.
    for release in [104, 105, 108, 110, 113, 114, 115, 117, 118, 119] {
        assert!(written.contains(&release), "release {release} not written");
    }
}

#[test]
fn stata_old_release_missing_a_value_label_table_is_refused() {
    // Before release 117, a file cut exactly between two value-label tables reads cleanly: the
    // table a variable names is then missing.
    let path = fixture("stata", "pandas_114.dta");
    let bytes = std::fs::read(&path).unwrap();
    // The last table is `water` (…"Tanker truck" is its last label).
    let at = bytes.windows(5).rposition(|w| w == b"water").unwrap() - 4;
    refused_saying(
        &path,
        FileFormat::Stata,
        &bytes[..at],
        "cut between tables",
        &["value labels `water`, which are not in the file"],
    );
}

// ------------------------------------------------------------------------------------------------
// Parquet
// ------------------------------------------------------------------------------------------------

fn small_parquet(compression: ParquetCompression) -> Vec<u8> {
    let n = 120;
    let mut frame = df!(
        "hhid" => (0..n).collect::<Vec<i64>>(),
        "region" => (0..n).map(|i| format!("R{}", i % 7)).collect::<Vec<_>>(),
        "weight" => (0..n).map(|i| 1.0 + f64::from(i as i32) / 8.0).collect::<Vec<_>>(),
        "urban" => (0..n).map(|i| (i % 3 != 0).then_some(i % 2 == 0)).collect::<Vec<_>>(),
    )
    .unwrap();
    let mut buf = Vec::new();
    ParquetWriter::new(&mut buf)
        .with_compression(compression)
        .with_row_group_size(Some(50))
        .finish(&mut frame)
        .unwrap();
    buf
}

#[test]
fn parquet_files_cut_or_extended_are_refused() {
    let mut report = Vec::new();
    let files = [
        (
            "small_uncompressed.parquet".to_string(),
            small_parquet(ParquetCompression::Uncompressed),
        ),
        (
            "small_snappy.parquet".to_string(),
            small_parquet(ParquetCompression::Snappy),
        ),
        (
            "nusantara_2021.parquet".to_string(),
            std::fs::read(
                Path::new(env!("CARGO_MANIFEST_DIR")).join("specs/data/nusantara_2021.parquet"),
            )
            .unwrap(),
        ),
    ];
    for (name, bytes) in &files {
        let path = PathBuf::from(name);
        parse(&path, FileFormat::Parquet, bytes).unwrap();
        // A Parquet file ends with its footer: cut anywhere, the footer is gone.
        let offsets = cuts(bytes.len(), 1024);
        for &cut in &offsets {
            refused_saying(
                &path,
                FileFormat::Parquet,
                &bytes[..cut],
                &format!("{name} cut at byte {cut}"),
                &["cannot parse as Parquet"],
            );
        }
        let tails = garbage(bytes);
        for tail in &tails {
            refused_saying(
                &path,
                FileFormat::Parquet,
                &with_garbage(bytes, tail),
                &format!("{name} with {} bytes appended", tail.len()),
                &["cannot parse as Parquet"],
            );
        }
        report.push(format!(
            "{name}: {} cuts, {} garbage tails",
            offsets.len(),
            tails.len()
        ));
    }
    eprintln!("{}", report.join("\n"));
}

// ------------------------------------------------------------------------------------------------
// CSV
// ------------------------------------------------------------------------------------------------

/// One CSV field as written, and whether it is quoted.
struct Field {
    text: &'static str,
    quoted: bool,
}

const fn plain(text: &'static str) -> Field {
    Field {
        text,
        quoted: false,
    }
}

const fn quoted(text: &'static str) -> Field {
    Field { text, quoted: true }
}

/// Header and records: quoted fields in the middle and at the end of a line, one holding a
/// separator, one a doubled quote, one a line break.
fn csv_records() -> Vec<Vec<Field>> {
    vec![
        vec![
            plain("hhid"),
            plain("region"),
            plain("note"),
            plain("weight"),
        ],
        vec![plain("1"), plain("Aceh"), quoted("\"ok\""), plain("1.5")],
        vec![
            plain("2"),
            quoted("\"Bali, Timur\""),
            plain("x"),
            plain("2.25"),
        ],
        vec![
            plain("3"),
            plain("Papua"),
            quoted("\"two\nlines\""),
            plain("3"),
        ],
        vec![plain("4"), plain("Jawa"), plain(""), quoted("\"4.5\"")],
        vec![
            plain("5"),
            plain("Maluku"),
            quoted("\"say \"\"hi\"\"\""),
            plain("10"),
        ],
    ]
}

/// What a cut of the CSV text must give: the rows it still holds (a cut the format cannot
/// reveal), or an error naming a line (None).
fn csv_expectation(records: &[Vec<Field>], cut: usize) -> Option<usize> {
    let mut at = 0;
    for (r, record) in records.iter().enumerate() {
        let mut field_start = at;
        for (k, field) in record.iter().enumerate() {
            let field_end = field_start + field.text.len();
            let last = k + 1 == record.len();
            if cut < field_start {
                return None; // right before a separator: too few fields
            }
            if cut < field_end || (last && cut == field_end) {
                if r == 0 || !last {
                    return None; // too few fields, or a header cut short (no data rows)
                }
                if cut == field_start {
                    return None; // ends right after a separator
                }
                let kept = &field.text[..cut - field_start];
                if field.quoted && kept.matches('"').count() % 2 == 1 {
                    return None; // inside the quotes
                }
                return Some(r); // the last field shortened: undetectable
            }
            field_start = field_end + 1; // past the separator, or the line end
        }
        at = field_start;
        if cut == at {
            // Right after this record's line end.
            return (r > 0).then_some(r);
        }
    }
    unreachable!("cut past the end")
}

#[test]
fn csv_files_cut_short_are_refused_naming_the_line() {
    let records = csv_records();
    let text: String = records
        .iter()
        .map(|r| {
            let line: Vec<&str> = r.iter().map(|f| f.text).collect();
            line.join(",") + "\n"
        })
        .collect();
    let path = PathBuf::from("cut.csv");
    let full = parse(&path, FileFormat::Csv, text.as_bytes()).unwrap();
    assert_eq!(full.height(), 5);
    assert_eq!(
        full.column("note").unwrap().str().unwrap().get(2),
        Some("two\nlines")
    );
    let (mut refused_cuts, mut undetectable) = (0, 0);
    for cut in 0..text.len() {
        let case = format!("cut at byte {cut} of {:?}", &text[..cut]);
        match csv_expectation(&records, cut) {
            Some(rows) => {
                let frame = parse(&path, FileFormat::Csv, &text.as_bytes()[..cut])
                    .unwrap_or_else(|e| panic!("{case}: {e}"));
                assert_eq!(frame.height(), rows, "{case}");
                undetectable += 1;
            }
            None => {
                let msg = refused(&path, FileFormat::Csv, &text.as_bytes()[..cut], &case);
                let after_header = text[..cut].split_once('\n').map_or("", |(_, rest)| rest);
                if !after_header.is_empty() {
                    assert!(msg.contains("line "), "{case}: no line named: {msg}");
                }
                refused_cuts += 1;
            }
        }
    }
    eprintln!(
        "csv: {} cuts, {refused_cuts} refused, {undetectable} well-formed (at a line end or \
         inside a last field)",
        text.len()
    );
    assert!(refused_cuts > undetectable);

    // The targeted messages.
    let short = "hhid,region,weight\n1,Aceh,1.5\n2,Bali";
    refused_saying(
        &path,
        FileFormat::Csv,
        short.as_bytes(),
        "short last line",
        &["ends in the middle of line 3: it has 2 fields, expected the header's 3"],
    );
    let open_quote = "hhid,region,weight\n1,Aceh,1.5\n2,\"Bali";
    refused_saying(
        &path,
        FileFormat::Csv,
        open_quote.as_bytes(),
        "open quote",
        &["ends inside a quoted field opened on line 3"],
    );
    let ragged = "hhid,region,weight\n1,Aceh\n2,Bali,2\n";
    refused_saying(
        &path,
        FileFormat::Csv,
        ragged.as_bytes(),
        "short middle line",
        &["line 2 has 2 fields, expected the header's 3"],
    );
    let blank = "hhid,region,weight\n1,Aceh,1\n\n2,Bali,2\n";
    refused_saying(
        &path,
        FileFormat::Csv,
        blank.as_bytes(),
        "blank line",
        &["line 3 is blank"],
    );
    // Still read: CRLF line ends, no final line end, a single column with an empty value.
    let crlf = "hhid,region\r\n1,Aceh\r\n2,\"Bali\"\r\n";
    assert_eq!(
        parse(&path, FileFormat::Csv, crlf.as_bytes())
            .unwrap()
            .height(),
        2
    );
    let no_final = "hhid,region\n1,Aceh\n2,Bali";
    assert_eq!(
        parse(&path, FileFormat::Csv, no_final.as_bytes())
            .unwrap()
            .height(),
        2
    );
    let one_column = "hhid\n1\n\n2\n";
    assert_eq!(
        parse(&path, FileFormat::Csv, one_column.as_bytes())
            .unwrap()
            .height(),
        3
    );
}

#[test]
fn csv_fixtures_cut_short_or_extended_are_refused() {
    // The fixtures hold no quotes: a cut is well-formed only at a line end or inside the last
    // field of a line.
    let mut report = Vec::new();
    for (dir, name) in [
        ("lnob", "ties.csv"),
        ("spot", "one_to_n.csv"),
        ("stata", "nusantara_2021.csv"),
    ] {
        let path = fixture(dir, name);
        let bytes = std::fs::read(&path).unwrap();
        assert!(!bytes.contains(&b'"'), "{name}");
        let text = String::from_utf8(bytes.clone()).unwrap();
        let header_fields = text.lines().next().unwrap().split(',').count();
        parse(&path, FileFormat::Csv, &bytes).unwrap();
        // polars takes ~1 ms a parse: every byte of the header and first lines only.
        let offsets = spread_cuts(bytes.len(), 1024);
        for &cut in &offsets {
            let prefix = &text[..cut];
            let tail = prefix.rsplit('\n').next().unwrap();
            let complete = prefix.matches('\n').count();
            let tail_fields = tail.split(',').count();
            let well_formed = complete >= 1
                && (tail.is_empty() || (tail_fields == header_fields && !tail.ends_with(',')));
            let data_rows = complete - usize::from(complete > 0) + usize::from(!tail.is_empty());
            if well_formed && data_rows > 0 {
                let frame = parse(&path, FileFormat::Csv, prefix.as_bytes())
                    .unwrap_or_else(|e| panic!("{name} cut at {cut}: {e}"));
                assert_eq!(frame.height(), data_rows, "{name} cut at {cut}");
            } else {
                refused(
                    &path,
                    FileFormat::Csv,
                    prefix.as_bytes(),
                    &format!("{name} cut at {cut}"),
                );
            }
        }
        let tails: [&[u8]; 4] = [b"garbage", b"1", b"\n\n", b","];
        for tail in tails {
            refused(
                &path,
                FileFormat::Csv,
                &with_garbage(&bytes, tail),
                &format!("{name} + {tail:?}"),
            );
        }
        report.push(format!(
            "{name}: {} cuts, {} garbage tails",
            offsets.len(),
            tails.len()
        ));
    }
    eprintln!("{}", report.join("\n"));
}

#[test]
fn csv_with_nul_bytes_anywhere_is_refused_quickly_with_the_offset() {
    let path = PathBuf::from("padded.csv");
    let mut text = String::from("hhid,region,weight\n");
    for i in 0..2000 {
        text.push_str(&format!("{i},R{},1.{i}\n", i % 9));
    }
    let valid = text.len();
    assert!(valid > 8192, "the NUL bytes lie beyond the first 8 KiB");
    for (run, at) in [(1, valid), (4 << 20, valid), (1, valid - 7)] {
        let mut bytes = text.clone().into_bytes();
        if at == valid {
            bytes.extend(std::iter::repeat_n(0u8, run));
        } else {
            bytes[at] = 0;
        }
        let start = std::time::Instant::now();
        refused_saying(
            &path,
            FileFormat::Csv,
            &bytes,
            &format!("{run} NUL bytes at {at}"),
            &[&format!("NUL byte at byte offset {at}")],
        );
        assert!(
            start.elapsed() < std::time::Duration::from_secs(2),
            "took {:?}",
            start.elapsed()
        );
    }
}
