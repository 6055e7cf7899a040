//! The framing of a `.sav` / `.zsav` file read straight from its bytes: the header fields and the
//! walk over the dictionary records to where the data start.

/// What a `.sav` / `.zsav` file says about itself, read straight from its bytes: the few header
/// fields that frame the data and where the dictionary ends. `ambers` keeps none of this (it
/// hands back the rows it managed to read), so the checks in [`Layout::check_data`] need it.
///
/// Layout (PSPP's "System File Format"): a 176-byte header, then dictionary records up to the
/// type 999 terminator, then the data. Every read is bounds-checked: a broken file gives an
/// `Err` with the byte offset, never a panic.
#[derive(Debug, Clone, Copy)]
pub(super) struct Layout {
    /// Byte order of the file's integers, from the layout code (2 or 3) at byte 64.
    pub(super) big_endian: bool,
    /// Compression code at byte 72: 0 none, 1 bytecode, 2 zlib (.zsav).
    pub(super) compression: i32,
    /// Case count at byte 80; -1 when the writer did not know it.
    pub(super) ncases: i32,
    /// 8-byte values per case: one per type 2 record (string continuations included).
    pub(super) slots: usize,
    /// Offset just past the type 999 terminator: where the data (or the zlib header) starts.
    pub(super) dict_end: usize,
}

/// Size of the fixed header.
const HEADER_LEN: usize = 176;

/// A bounds-checked reader over the file's bytes.
pub(super) struct Bytes<'a> {
    pub(super) bytes: &'a [u8],
    pub(super) pos: usize,
    pub(super) big_endian: bool,
}

impl Bytes<'_> {
    /// Advance by `n` bytes; `what` names the field for the error.
    pub(super) fn take(&mut self, n: usize, what: &str) -> std::result::Result<&[u8], String> {
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

    pub(super) fn i32(&mut self, what: &str) -> std::result::Result<i32, String> {
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

    pub(super) fn i64(&mut self, what: &str) -> std::result::Result<i64, String> {
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

/// The fixed header's fields that frame the data.
struct Header {
    big_endian: bool,
    compression: i32,
    ncases: i32,
}

impl Layout {
    /// Read the header fields and walk the dictionary records (mirroring `ambers`, which has
    /// already accepted them when this matters) to find where the data start.
    pub(super) fn read(bytes: &[u8]) -> std::result::Result<Layout, String> {
        let header = read_header(bytes)?;
        let mut r = Bytes {
            bytes,
            pos: HEADER_LEN,
            big_endian: header.big_endian,
        };
        let slots = dictionary_slots(&mut r)?;
        if slots == 0 {
            return Err("the dictionary defines no variables".into());
        }
        Ok(Layout {
            big_endian: header.big_endian,
            compression: header.compression,
            ncases: header.ncases,
            slots,
            dict_end: r.pos,
        })
    }
}

/// The byte order (from the layout code at byte 64), compression code and case count.
fn read_header(bytes: &[u8]) -> std::result::Result<Header, String> {
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
    Ok(Header {
        big_endian,
        compression,
        ncases,
    })
}

/// Walk the dictionary records up to and past the type 999 terminator; returns the number of
/// 8-byte values per case.
fn dictionary_slots(r: &mut Bytes) -> std::result::Result<usize, String> {
    let mut slots = 0usize;
    loop {
        let at = r.pos;
        match r.i32("a dictionary record type")? {
            2 => {
                skip_variable(r)?;
                slots += 1;
            }
            3 => skip_value_labels(r)?,
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
                return Ok(slots);
            }
            other => {
                return Err(format!(
                    "expected a dictionary record (type 2, 3, 6, 7 or 999) at byte {at}, \
                     found type {other}"
                ))
            }
        }
    }
}

/// Variable: type, has_label, n_missing, print, write, name[8]; label; missing.
fn skip_variable(r: &mut Bytes) -> std::result::Result<(), String> {
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
    r.skip(8, i64::from(n_missing).abs(), "a variable's missing values")
}

/// Value labels: count × (value[8], len u8, label padded to 8 with len), then the type 4 record
/// listing the variables.
fn skip_value_labels(r: &mut Bytes) -> std::result::Result<(), String> {
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
    r.skip(4, i64::from(n), "a value-label variables record")
}
