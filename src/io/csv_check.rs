//! CSV bytes checked before polars parses them: text, whole records, unique header names.

use std::path::Path;

use crate::error::{Error, Result};

/// Refuse CSV bytes that are not text or that end part-way through a record, before polars sees
/// them: polars fills the missing fields of a short last record with nulls, takes an
/// unterminated quoted field for a whole one, and parses a long run of NUL bytes in quadratic
/// time.
///
/// The scan follows polars' reading of a CSV file (separator `,`, quote `"`, records ended by
/// `\n`, an optional `\r` before it being part of the last field): a quote opens a quoted field
/// only at the start of a field, and inside one each quote toggles quoting (so `""` is a quote).
/// Every record must have the header's number of fields; blank lines before the header are
/// skipped, a blank line after it (a row of nulls to polars) is refused unless the file has a
/// single column.
pub(super) fn check_csv_text(path: &Path, bytes: &[u8], separator: u8) -> Result<()> {
    if let Some(at) = bytes.iter().position(|&b| b == 0) {
        return Err(Error::input(
            path,
            format!(
                "expected a CSV text file, found a NUL byte at byte offset {at} (binary \
                 content, or a file padded with zeros)"
            ),
        ));
    }
    let mut scan = CsvScan {
        separator,
        ..CsvScan::default()
    };
    // The header first: a file read with the wrong separator is then named as such.
    check_header_names(bytes, separator)
        .and_then(|()| bytes.iter().try_for_each(|&b| scan.byte(b)))
        .and_then(|()| scan.finish())
        .map_err(|what| Error::input(path, format!("cannot parse as CSV: {what}")))
}

/// polars renames a repeated column name (`sex`, `sex_duplicated_0`), so a spec naming it would
/// read whichever copy polars kept: a repeated name is refused.
fn check_header_names(bytes: &[u8], separator: u8) -> std::result::Result<(), String> {
    let names = header_fields(bytes, separator);
    if let [one] = names.as_slice() {
        if let Some(other) = [b';', b'\t', b'|', b',']
            .into_iter()
            .find(|&s| s != separator && one.as_bytes().contains(&s))
        {
            return Err(format!(
                "the header is one field, `{one}`, holding {:?}: the file seems to separate \
                 fields with {:?}; set the file's delimiter = {:?} in the spec (and \
                 decimal_comma = true if numbers are written 3,5)",
                other as char,
                other as char,
                if other == b'\t' {
                    "\\t".to_string()
                } else {
                    (other as char).to_string()
                }
            ));
        }
    }
    for (i, name) in names.iter().enumerate() {
        if let Some(j) = names[..i].iter().position(|n| n == name) {
            return Err(format!(
                "the header names column `{name}` twice (fields {} and {}); expected unique \
                 column names",
                j + 1,
                i + 1
            ));
        }
    }
    Ok(())
}

/// The header's field names: the first non-blank record, split on separators outside quotes,
/// quotes removed (`""` inside quotes is a quote).
fn header_fields(bytes: &[u8], separator: u8) -> Vec<String> {
    let start = bytes
        .iter()
        .position(|&b| b != b'\n' && b != b'\r')
        .unwrap_or(bytes.len());
    let (mut fields, mut field) = (Vec::new(), Vec::new());
    let (mut in_quotes, mut prev_quote) = (false, false);
    for &b in &bytes[start..] {
        match b {
            b'"' if in_quotes => in_quotes = false,
            b'"' => {
                if prev_quote {
                    field.push(b'"');
                }
                in_quotes = true;
            }
            b'\n' if !in_quotes => {
                fields.push(
                    String::from_utf8_lossy(&field)
                        .trim_end_matches('\r')
                        .to_string(),
                );
                break;
            }
            s if s == separator && !in_quotes => {
                fields.push(String::from_utf8_lossy(&field).to_string());
                field.clear();
            }
            _ => field.push(b),
        }
        prev_quote = b == b'"' && !in_quotes;
    }
    fields
}

/// Where [`check_csv_text`] is in the file: lines, the current record and its fields, quoting.
struct CsvScan {
    /// Physical line of the current byte.
    line: usize,
    /// Line the current record starts on.
    record_line: usize,
    /// Fields so far in the current record.
    fields: usize,
    header: Option<usize>,
    /// Nothing but `\r` so far in the current record.
    blank: bool,
    at_field_start: bool,
    field_quoted: bool,
    in_quotes: bool,
    quote_line: usize,
    separator: u8,
}

impl Default for CsvScan {
    fn default() -> Self {
        CsvScan {
            line: 1,
            record_line: 1,
            fields: 1,
            header: None,
            blank: true,
            at_field_start: true,
            field_quoted: false,
            in_quotes: false,
            quote_line: 0,
            separator: b',',
        }
    }
}

impl CsvScan {
    /// Take one byte; a record with the wrong number of fields is refused at its line end.
    fn byte(&mut self, b: u8) -> std::result::Result<(), String> {
        if self.in_quotes {
            match b {
                b'"' => self.in_quotes = false,
                b'\n' => self.line += 1,
                _ => {}
            }
            return Ok(());
        }
        match b {
            s if s == self.separator => {
                self.fields += 1;
                self.blank = false;
                self.at_field_start = true;
                self.field_quoted = false;
            }
            b'\n' => self.end_record()?,
            b'\r' => {}
            b'"' => {
                if self.at_field_start {
                    self.quote_line = self.line;
                }
                if self.at_field_start || self.field_quoted {
                    self.field_quoted = true;
                    self.in_quotes = true;
                }
                self.blank = false;
                self.at_field_start = false;
            }
            _ => {
                self.blank = false;
                self.at_field_start = false;
            }
        }
        Ok(())
    }

    /// A line end outside quotes: the record is checked against the header (or is the header).
    fn end_record(&mut self) -> std::result::Result<(), String> {
        let (record_line, fields, blank) = (self.record_line, self.fields, self.blank);
        match self.header {
            // Blank lines before the header are skipped.
            None if blank => {}
            None => self.header = Some(fields),
            // A blank line has one empty field: a row of nulls to polars.
            Some(h) if blank && h > 1 => {
                return Err(format!(
                    "line {record_line} is blank, expected the \
                     header's {h} fields"
                ))
            }
            Some(h) if !blank && h != fields => {
                return Err(mismatch(record_line, fields, h, false))
            }
            Some(_) => {}
        }
        self.line += 1;
        self.record_line = self.line;
        self.fields = 1;
        self.blank = true;
        self.at_field_start = true;
        self.field_quoted = false;
        Ok(())
    }

    /// The end of the file: no quoted field left open, no last record cut short.
    fn finish(&self) -> std::result::Result<(), String> {
        let (record_line, fields) = (self.record_line, self.fields);
        if self.in_quotes {
            let quote_line = self.quote_line;
            return Err(format!(
                "the file ends inside a quoted field opened on line \
                 {quote_line} (the closing quote is missing: the file is truncated?)"
            ));
        }
        if !self.blank {
            if let Some(h) = self.header.filter(|&h| h != fields) {
                return Err(mismatch(record_line, fields, h, true));
            }
            if self.at_field_start && self.header.is_some() {
                return Err(format!(
                    "the file ends right after a separator on line \
                     {record_line}, with no line end (the file is truncated?)"
                ));
            }
        }
        Ok(())
    }
}

/// A record whose number of fields is not the header's (`last`: the file ends inside it).
fn mismatch(record_line: usize, fields: usize, header: usize, last: bool) -> String {
    if last {
        format!(
            "the file ends in the middle of line {record_line}: it has {fields} fields, \
             expected the header's {header} (the file is truncated?)"
        )
    } else {
        format!(
            "line {record_line} has {fields} fields, expected the header's {header} (a \
             record cut short, or a stray separator)"
        )
    }
}
