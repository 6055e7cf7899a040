//! SPSS `.sav` / `.zsav` files (through the `ambers` crate) as a polars frame, with the same
//! conventions as Stata files (`stata.rs`):
//!
//! - numbers stay numbers (SPSS stores every number as a double), so expressions read the codes;
//! - system-missing values and the variable's user-missing values (discrete values or a range)
//!   become null;
//! - a variable with value labels gets a companion text column `<name>_label`;
//! - strings are decoded with the file's encoding; an empty string (or a user-missing string) is
//!   null; dates and times become text (ISO 8601).

use std::collections::BTreeMap;
use std::io::Cursor;
use std::path::Path;

use ambers::{MissingSpec, Value};
use arrow::array::{Array, AsArray};
use arrow::datatypes::{DataType as ArrowType, Float64Type};
use polars::prelude::*;

use crate::error::{Error, Result};
use crate::io::stata::LABEL_SUFFIX;

/// Parse `.sav` or `.zsav` bytes into a frame (see the module comment for what becomes what).
pub fn parse(path: &Path, bytes: &[u8]) -> Result<DataFrame> {
    let fail = |e: &dyn std::fmt::Display| {
        Error::input(path, format!("cannot read as an SPSS .sav file: {e}"))
    };
    let read = crate::error::contain_panic(|| ambers::read_sav_from_reader(Cursor::new(bytes)))
        .map_err(|m| fail(&m))?;
    // `ambers` reads the data section to its end, drops a partial last case without a word and
    // only warns when the header's case count disagrees: the file's own framing decides here.
    let layout = Layout::read(bytes);
    let (batch, meta) = match (read, &layout) {
        (Ok(read), _) => read,
        // A dictionary cut short fails in `ambers` with a bare I/O error; say where it ends.
        (Err(e), Err(why)) => return Err(fail(&format!("{why} ({e})"))),
        (Err(e), Ok(layout)) => {
            return Err(match layout.check_data(bytes, None) {
                Err(why) => fail(&format!("{why} ({e})")),
                Ok(()) => fail(&e),
            })
        }
    };
    layout
        .and_then(|layout| layout.check_data(bytes, Some(batch.num_rows())))
        .map_err(|why| fail(&why))?;
    let mut out: Vec<Column> = Vec::new();
    for (field, array) in batch.schema().fields().iter().zip(batch.columns()) {
        let name = field.name();
        let missing = meta
            .variable_missing_values
            .get(name)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let is_missing_number = |x: f64| {
            missing.iter().any(|m| match m {
                MissingSpec::Value(v) => *v == x,
                MissingSpec::Range { lo, hi } => *lo <= x && x <= *hi,
                MissingSpec::StringValue(_) => false,
            })
        };
        match array.data_type() {
            ArrowType::Float64 => {
                let values: Vec<Option<f64>> = array
                    .as_primitive::<Float64Type>()
                    .iter()
                    .map(|v| v.filter(|x| x.is_finite() && !is_missing_number(*x)))
                    .collect();
                let labels: Option<BTreeMap<u64, &str>> =
                    meta.variable_value_labels.get(name).map(|l| {
                        l.iter()
                            .filter_map(|(v, text)| match v {
                                Value::Numeric(x) => Some((x.to_bits(), text.as_str())),
                                Value::String(_) => None,
                            })
                            .collect()
                    });
                out.push(Series::new(name.into(), &values).into());
                if let Some(labels) = labels {
                    let text: Vec<Option<String>> = values
                        .iter()
                        .map(|v| {
                            v.map(|x| {
                                labels
                                    .get(&x.to_bits())
                                    .map(|s| s.to_string())
                                    .unwrap_or_else(|| crate::io::format_code(x))
                            })
                        })
                        .collect();
                    out.push(Series::new(format!("{name}{LABEL_SUFFIX}").into(), text).into());
                }
            }
            _ => {
                // Strings, and dates or times rendered as text.
                let text = arrow::compute::cast(array, &ArrowType::Utf8)
                    .map_err(|e| fail(&format!("variable `{name}`: {e}")))?;
                let missing_text: Vec<&str> = missing
                    .iter()
                    .filter_map(|m| match m {
                        MissingSpec::StringValue(s) => Some(s.trim_end()),
                        _ => None,
                    })
                    .collect();
                let values: Vec<Option<String>> = text
                    .as_string::<i32>()
                    .iter()
                    .map(|v| {
                        // SPSS pads strings with spaces.
                        v.map(str::trim_end)
                            .filter(|s| !s.is_empty() && !missing_text.contains(s))
                            .map(str::to_string)
                    })
                    .collect();
                out.push(Series::new(name.into(), values).into());
            }
        }
    }
    let height = out.first().map_or(0, |c| c.len());
    DataFrame::new(height, out).map_err(|e| fail(&e))
}

/// What a `.sav` / `.zsav` file says about itself, read straight from its bytes: the few header
/// fields that frame the data and where the dictionary ends. `ambers` keeps none of this (it
/// hands back the rows it managed to read), so the checks in [`Layout::check_data`] need it.
///
/// Layout (PSPP's "System File Format"): a 176-byte header, then dictionary records up to the
/// type 999 terminator, then the data. Every read is bounds-checked: a broken file gives an
/// `Err` with the byte offset, never a panic.
#[derive(Debug, Clone, Copy)]
struct Layout {
    /// Byte order of the file's integers, from the layout code (2 or 3) at byte 64.
    big_endian: bool,
    /// Compression code at byte 72: 0 none, 1 bytecode, 2 zlib (.zsav).
    compression: i32,
    /// Case count at byte 80; -1 when the writer did not know it.
    ncases: i32,
    /// 8-byte values per case: one per type 2 record (string continuations included).
    slots: usize,
    /// Offset just past the type 999 terminator: where the data (or the zlib header) starts.
    dict_end: usize,
}

/// Size of the fixed header.
const HEADER_LEN: usize = 176;
/// Bytecode: end of the data.
const CODE_END_OF_DATA: u8 = 252;
/// Bytecode: an uncompressed 8-byte value follows the control block.
const CODE_RAW_FOLLOWS: u8 = 253;

/// A bounds-checked reader over the file's bytes.
struct Bytes<'a> {
    bytes: &'a [u8],
    pos: usize,
    big_endian: bool,
}

impl Bytes<'_> {
    /// Advance by `n` bytes; `what` names the field for the error.
    fn take(&mut self, n: usize, what: &str) -> std::result::Result<&[u8], String> {
        let start = self.pos;
        let end = start
            .checked_add(n)
            .filter(|&end| end <= self.bytes.len())
            .ok_or_else(|| {
                format!(
                    "the file ends at byte {} inside {what} (which starts at byte {start} and \
                     needs {n} bytes): the file is truncated",
                    self.bytes.len()
                )
            })?;
        self.pos = end;
        Ok(self.bytes.get(start..end).unwrap_or_default())
    }

    fn i32(&mut self, what: &str) -> std::result::Result<i32, String> {
        let big = self.big_endian;
        let b: [u8; 4] = self
            .take(4, what)?
            .try_into()
            .map_err(|_| format!("internal: 4 bytes expected for {what}"))?;
        Ok(if big {
            i32::from_be_bytes(b)
        } else {
            i32::from_le_bytes(b)
        })
    }

    fn i64(&mut self, what: &str) -> std::result::Result<i64, String> {
        let big = self.big_endian;
        let b: [u8; 8] = self
            .take(8, what)?
            .try_into()
            .map_err(|_| format!("internal: 8 bytes expected for {what}"))?;
        Ok(if big {
            i64::from_be_bytes(b)
        } else {
            i64::from_le_bytes(b)
        })
    }

    /// Skip `count` items of `size` bytes (both as declared by the file, so possibly negative).
    fn skip(&mut self, size: i64, count: i64, what: &str) -> std::result::Result<(), String> {
        let n = usize::try_from(size)
            .ok()
            .zip(usize::try_from(count).ok())
            .and_then(|(s, c)| s.checked_mul(c))
            .ok_or_else(|| {
                format!(
                    "{what} at byte {} declares {count} items of {size} bytes",
                    self.pos
                )
            })?;
        self.take(n, what).map(|_| ())
    }
}

impl Layout {
    /// Read the header fields and walk the dictionary records (mirroring `ambers`, which has
    /// already accepted them when this matters) to find where the data start.
    fn read(bytes: &[u8]) -> std::result::Result<Layout, String> {
        if bytes.len() < HEADER_LEN {
            return Err(format!(
                "expected a {HEADER_LEN}-byte header, found a {}-byte file: the file is \
                 truncated or not an SPSS file",
                bytes.len()
            ));
        }
        let field = |at: usize| -> [u8; 4] {
            let mut b = [0u8; 4];
            if let Some(src) = bytes.get(at..at + 4) {
                b.copy_from_slice(src);
            }
            b
        };
        let layout_code = field(64);
        let big_endian = match (
            i32::from_le_bytes(layout_code),
            i32::from_be_bytes(layout_code),
        ) {
            (2 | 3, _) => false,
            (_, 2 | 3) => true,
            _ => {
                return Err(format!(
                    "expected layout code 2 or 3 at byte 64, found bytes {layout_code:?}"
                ))
            }
        };
        let int = |at: usize| {
            if big_endian {
                i32::from_be_bytes(field(at))
            } else {
                i32::from_le_bytes(field(at))
            }
        };
        let compression = int(72);
        let ncases = int(80);
        if ncases < -1 {
            return Err(format!(
                "the header declares {ncases} cases (byte 80); expected a count, or -1 for \
                 unknown"
            ));
        }
        let mut r = Bytes {
            bytes,
            pos: HEADER_LEN,
            big_endian,
        };
        let mut slots = 0usize;
        loop {
            let at = r.pos;
            match r.i32("a dictionary record type")? {
                // Variable: type, has_label, n_missing, print, write, name[8]; label; missing.
                2 => {
                    let what = "a variable record";
                    let _type = r.i32(what)?;
                    let has_label = r.i32(what)?;
                    let n_missing = r.i32(what)?;
                    r.skip(1, 16, what)?;
                    if has_label == 1 {
                        let len = r.i32(what)?;
                        let padded = (i64::from(len) + 3) / 4 * 4;
                        r.skip(padded, 1, "a variable label")?;
                    }
                    r.skip(8, i64::from(n_missing).abs(), "a variable's missing values")?;
                    slots += 1;
                }
                // Value labels: count × (value[8], len u8, label padded to 8 with len), then
                // the type 4 record listing the variables.
                3 => {
                    let count = r.i32("a value-label record")?;
                    for _ in 0..count.max(0) {
                        r.take(8, "a labelled value")?;
                        let len = r.take(1, "a value label")?.first().copied().unwrap_or(0);
                        let padded = (usize::from(len) + 1).div_ceil(8) * 8 - 1;
                        r.take(padded, "a value label")?;
                    }
                    let at4 = r.pos;
                    let next = r.i32("a value-label variables record")?;
                    if next != 4 {
                        return Err(format!(
                            "expected a type 4 record at byte {at4} after value labels, found \
                             type {next}"
                        ));
                    }
                    let n = r.i32("a value-label variables record")?;
                    r.skip(4, i64::from(n), "a value-label variables record")?;
                }
                // Documents: n_lines × 80 bytes.
                6 => {
                    let n = r.i32("a document record")?;
                    r.skip(80, i64::from(n), "a document record")?;
                }
                // Extension: subtype, size, count, size × count bytes.
                7 => {
                    let what = "an extension record";
                    let _subtype = r.i32(what)?;
                    let size = r.i32(what)?;
                    let count = r.i32(what)?;
                    r.skip(i64::from(size), i64::from(count), what)?;
                }
                999 => {
                    r.i32("the dictionary terminator")?;
                    break;
                }
                other => {
                    return Err(format!(
                        "expected a dictionary record (type 2, 3, 6, 7 or 999) at byte {at}, \
                         found type {other}"
                    ))
                }
            }
        }
        if slots == 0 {
            return Err("the dictionary defines no variables".into());
        }
        Ok(Layout {
            big_endian,
            compression,
            ncases,
            slots,
            dict_end: r.pos,
        })
    }

    /// Check the data section against the header and the compression's own framing; `rows` is
    /// what `ambers` read (None when it failed, to explain its error).
    fn check_data(&self, bytes: &[u8], rows: Option<usize>) -> std::result::Result<(), String> {
        let case_bytes = self.slots * 8;
        let declared = usize::try_from(self.ncases).ok();
        // Cases the data section holds, counted from its framing.
        let cases = match self.compression {
            0 => self.uncompressed_cases(bytes.len(), declared)?,
            1 => self.bytecode_cases(bytes)?,
            2 => {
                self.check_zsav(bytes)?;
                // The case data are inside zlib blocks; only `ambers` has read them.
                match rows {
                    Some(rows) => rows,
                    None => return Ok(()),
                }
            }
            other => return Err(format!("unknown compression code {other} at byte 72")),
        };
        if let Some(n) = declared {
            if cases < n {
                return Err(format!(
                    "the header declares {n} cases (byte 80) but the data section holds only \
                     {cases} complete cases of {case_bytes} bytes: the file is truncated (or \
                     its case count is wrong)"
                ));
            }
            if cases > n {
                return Err(format!(
                    "the header declares {n} cases (byte 80) but the data section holds \
                     {cases}: the case count is wrong or data were appended"
                ));
            }
        }
        match rows {
            Some(rows) if rows != cases => Err(format!(
                "the data section holds {cases} cases but {rows} were read"
            )),
            _ => Ok(()),
        }
    }

    /// Uncompressed: the data are whole cases of `slots × 8` bytes up to the end of the file.
    fn uncompressed_cases(
        &self,
        len: usize,
        declared: Option<usize>,
    ) -> std::result::Result<usize, String> {
        let case_bytes = self.slots * 8;
        let data = len.saturating_sub(self.dict_end);
        if let Some(n) = declared {
            let expected = n
                .checked_mul(case_bytes)
                .and_then(|b| b.checked_add(self.dict_end));
            match expected {
                Some(expected) if len < expected => {
                    return Err(format!(
                        "the header declares {n} cases of {case_bytes} bytes after the \
                         dictionary, which ends at byte {}: expected a {expected}-byte file, \
                         found {len} bytes (the file is truncated)",
                        self.dict_end
                    ))
                }
                Some(expected) if len > expected => {
                    return Err(format!(
                        "the header declares {n} cases of {case_bytes} bytes after the \
                         dictionary, which ends at byte {}: expected a {expected}-byte file, \
                         found {len} bytes ({} bytes of trailing data, or a wrong case count)",
                        self.dict_end,
                        len - expected
                    ))
                }
                Some(_) => return Ok(n),
                None => {}
            }
        }
        if !data.is_multiple_of(case_bytes) {
            return Err(format!(
                "the data section ({data} bytes from byte {}) ends {} bytes into case {}, whose \
                 {case_bytes} bytes are incomplete: the file is truncated or has trailing data",
                self.dict_end,
                data % case_bytes,
                data / case_bytes + 1
            ));
        }
        Ok(data / case_bytes)
    }

    /// Bytecode: blocks of 8 control codes, each followed by the raw 8-byte values its code
    /// 253s announce; code 0 is padding, 252 ends the data (optional), every other code is one
    /// value. Returns the number of cases, refusing a partial case, a block cut short and any
    /// bytes after code 252.
    fn bytecode_cases(&self, bytes: &[u8]) -> std::result::Result<usize, String> {
        let len = bytes.len();
        let mut pos = self.dict_end;
        let mut values = 0usize;
        let mut end_code_at = None;
        while pos < len && end_code_at.is_none() {
            let block = bytes.get(pos..pos + 8).ok_or_else(|| {
                format!(
                    "the file ends at byte {len}, {} bytes into a block of 8 compression codes \
                     that starts at byte {pos}: the file is truncated",
                    len - pos
                )
            })?;
            let block_at = pos;
            pos += 8;
            for (i, &code) in block.iter().enumerate() {
                match code {
                    0 => {}
                    CODE_END_OF_DATA => {
                        end_code_at = Some(block_at + i);
                        break;
                    }
                    CODE_RAW_FOLLOWS => {
                        if len - pos < 8 {
                            return Err(format!(
                                "the file ends at byte {len}, inside the 8-byte value that \
                                 starts at byte {pos}: the file is truncated"
                            ));
                        }
                        pos += 8;
                        values += 1;
                    }
                    _ => values += 1,
                }
            }
        }
        if let Some(at) = end_code_at {
            if pos < len {
                return Err(format!(
                    "the data end at byte {pos} (end-of-data code 252 at byte {at}) but the \
                     file goes on for {} more bytes: trailing data",
                    len - pos
                ));
            }
        }
        if !values.is_multiple_of(self.slots) {
            return Err(format!(
                "the data end {} values into case {} (a case has {}): the file is truncated",
                values % self.slots,
                values / self.slots + 1,
                self.slots
            ));
        }
        Ok(values / self.slots)
    }

    /// .zsav: a zlib header (its own offset, the trailer's offset and length) right after the
    /// dictionary, zlib blocks back to back, then the trailer (bias, zero, block size, block
    /// count, then per block: uncompressed offset, compressed offset, both sizes) ending the
    /// file. Refuses a file cut short, bytes after the trailer and blocks that do not tile.
    fn check_zsav(&self, bytes: &[u8]) -> std::result::Result<(), String> {
        let len = bytes.len();
        let mut r = Bytes {
            bytes,
            pos: self.dict_end,
            big_endian: self.big_endian,
        };
        let zheader_ofs = r.i64("the zlib data header")?;
        let ztrailer_ofs = r.i64("the zlib data header")?;
        let ztrailer_len = r.i64("the zlib data header")?;
        if usize::try_from(zheader_ofs).ok() != Some(self.dict_end) {
            return Err(format!(
                "expected the zlib data header to give its own offset {}, found {zheader_ofs}",
                self.dict_end
            ));
        }
        let trailer_end = ztrailer_ofs
            .checked_add(ztrailer_len)
            .and_then(|e| usize::try_from(e).ok())
            .filter(|_| ztrailer_ofs >= 0 && ztrailer_len >= 0)
            .ok_or_else(|| {
                format!(
                    "the zlib data header declares a trailer at byte {ztrailer_ofs} of \
                     {ztrailer_len} bytes"
                )
            })?;
        if len < trailer_end {
            return Err(format!(
                "the zlib trailer (blocks index) should end the file at byte {trailer_end}, but \
                 the file ends at byte {len}: the file is truncated"
            ));
        }
        if len > trailer_end {
            return Err(format!(
                "the zlib trailer (blocks index) ends at byte {trailer_end} but the file goes \
                 on for {} more bytes: trailing data",
                len - trailer_end
            ));
        }
        r.pos = usize::try_from(ztrailer_ofs).unwrap_or(usize::MAX);
        let what = "the zlib trailer";
        r.take(16, what)?; // bias, zero
        let _block_size = r.i32(what)?;
        let n_blocks = r.i32(what)?;
        if i64::from(n_blocks) * 24 + 24 != ztrailer_len {
            return Err(format!(
                "the zlib trailer lists {n_blocks} blocks, which take {} bytes, but the header \
                 gives it {ztrailer_len} bytes",
                i64::from(n_blocks) * 24 + 24
            ));
        }
        let mut expected_ofs = zheader_ofs + 24;
        for k in 0..n_blocks {
            let _uncompressed_ofs = r.i64(what)?;
            let compressed_ofs = r.i64(what)?;
            let _uncompressed_size = r.i32(what)?;
            let compressed_size = r.i32(what)?;
            if compressed_ofs != expected_ofs || compressed_size < 0 {
                return Err(format!(
                    "expected zlib block {k} at byte {expected_ofs}, found it listed at byte \
                     {compressed_ofs} ({compressed_size} bytes)"
                ));
            }
            expected_ofs = compressed_ofs + i64::from(compressed_size);
        }
        if expected_ofs != ztrailer_ofs {
            return Err(format!(
                "the zlib blocks end at byte {expected_ofs} but the trailer starts at byte \
                 {ztrailer_ofs}: {} unaccounted bytes",
                ztrailer_ofs - expected_ofs
            ));
        }
        Ok(())
    }
}
