//! The checks that a `.dta` file was read to its end, and the framing facts that explain an
//! error from `dta`.

use super::{HeaderFacts, Parsed, Track};

/// Bytes one observation takes in the data section.
pub(super) fn row_len(schema: &dta::stata::dta::schema::Schema) -> usize {
    use dta::stata::dta::variable_type::VariableType as T;
    schema
        .variables()
        .iter()
        .map(|v| match v.variable_type() {
            T::Byte => 1,
            T::Int => 2,
            T::Long | T::Float => 4,
            T::Double | T::LongString => 8,
            T::FixedString(width) => usize::from(width),
        })
        .sum()
}

/// Observations the data section of a 117+ file holds according to its `<map>` (14 offsets
/// after the header; 9 is `<data>`, 10 `<strls>`); None if unknown.
fn observations_in_map(bytes: &[u8], track: &Track) -> Option<u64> {
    let facts = track.header.get()?;
    let body = bytes.get(track.map_at.get()?..)?.strip_prefix(b"<map>")?;
    let offset = |k: usize| -> Option<u64> {
        let b: [u8; 8] = body.get(k * 8..k * 8 + 8)?.try_into().ok()?;
        Some(if facts.big_endian {
            u64::from_be_bytes(b)
        } else {
            u64::from_le_bytes(b)
        })
    };
    let row_len = u64::try_from(track.row_len.get()?).ok()?;
    // The section is `<data>`, the rows, `</data>`.
    let data = offset(10)?.checked_sub(offset(9)?)?.checked_sub(13)?;
    (row_len > 0 && data % row_len == 0).then_some(data / row_len)
}

/// An error from `dta`, with what the file's framing says about it.
pub(super) fn explain(bytes: &[u8], track: &Track, e: &dyn std::fmt::Display) -> String {
    let len = bytes.len();
    if let Some(facts) = track.header.get() {
        let declared = facts.observations;
        if let Some(found) = observations_in_map(bytes, track) {
            if found != declared {
                return format!(
                    "the header declares {declared} observations but the data section holds \
                     {found} ({e})"
                );
            }
        }
        if let (Some(at), Some(row_len)) = (track.data_at.get(), track.row_len.get()) {
            let need = u64::try_from(row_len)
                .ok()
                .and_then(|r| r.checked_mul(declared));
            let left = u64::try_from(len.saturating_sub(at)).ok();
            if let (Some(need), Some(left)) = (need, left) {
                if need > left {
                    return format!(
                        "the header declares {declared} observations of {row_len} bytes \
                         ({need} bytes from byte {at}) but the file has only {left} bytes \
                         left there: it is truncated, or the count is wrong ({e})"
                    );
                }
            }
        }
    }
    if track.pos.get() >= len || track.cut_at.get().is_some() {
        let tag = if bytes.starts_with(b"<stata_dta>") && !bytes.ends_with(b"</stata_dta>") {
            " before its closing </stata_dta> tag"
        } else {
            ""
        };
        return format!("the file ends at byte {len}{tag}: it is truncated ({e})");
    }
    e.to_string()
}

/// Before release 117 the value labels run from the end of the data to the end of the file,
/// one table after another with no count or end marker: a table is `u16 n, name[9], pad[1],
/// n × 10 bytes` before release 108, then `u32 length, name[9 or 33 from 110], pad[3], length
/// bytes`. Walk them from `at` and refuse a table that runs past the end of the file or cannot be
/// one (unnamed, or too short to hold its counts): cut short, trailing bytes, or the end of the
/// data misplaced by a wrong observation count.
pub(super) fn check_old_label_tables(
    bytes: &[u8],
    mut at: usize,
    facts: HeaderFacts,
) -> std::result::Result<(), String> {
    let start = at;
    let len = bytes.len();
    let int = |at: usize, width: usize| -> Option<usize> {
        let b = bytes.get(at..at.checked_add(width)?)?;
        let push = |acc: u64, &x: &u8| (acc << 8) | u64::from(x);
        let value = if facts.big_endian {
            b.iter().fold(0, push)
        } else {
            b.iter().rev().fold(0, push)
        };
        usize::try_from(value).ok()
    };
    while at < len {
        let (head, name_at, payload) = if facts.release < 108 {
            (12, at + 2, int(at, 2).map(|n| n * 10))
        } else {
            (
                4 + if facts.release >= 110 { 33 } else { 9 } + 3,
                at + 4,
                int(at, 4),
            )
        };
        // A table has a name, and from 108 a payload of at least `n` and `txtlen`.
        let unnamed = bytes.get(name_at).is_some_and(|&b| b == 0);
        if unnamed || payload.is_some_and(|p| facts.release >= 108 && p < 8) {
            return Err(format!(
                "the header declares {} observations, after which the value labels start at \
                 byte {start}; the bytes at {at} are not a value-label table (no name, or too \
                 short): trailing data, a damaged file, or the wrong number of observations",
                facts.observations
            ));
        }
        let end = payload
            .and_then(|p| p.checked_add(head))
            .and_then(|n| n.checked_add(at));
        match end {
            Some(end) if end <= len => at = end,
            _ => {
                let need = end.map_or_else(|| "more".to_string(), |e| (e - at).to_string());
                return Err(format!(
                    "the header declares {} observations, after which the value labels \
                     start at byte {start}; the table at byte {at} needs {need} bytes but the \
                     file ends {} bytes later: the file is truncated, has trailing data, or \
                     declares the wrong number of observations",
                    facts.observations,
                    len - at
                ));
            }
        }
    }
    Ok(())
}

/// After a successful read: the declared observations were all read, no read stopped part-way
/// and nothing follows the end of the file's structure.
pub(super) fn check_end(
    bytes: &[u8],
    track: &Track,
    parsed: &Parsed,
) -> std::result::Result<(), String> {
    let len = bytes.len();
    let facts = track
        .header
        .get()
        .ok_or("internal: the header was not recorded")?;
    if u64::try_from(parsed.rows).ok() != Some(facts.observations) {
        return Err(format!(
            "the header declares {} observations but {} were read",
            facts.observations, parsed.rows
        ));
    }
    if let Some(at) = track.cut_at.get() {
        return Err(format!(
            "the file ends at byte {len}, part-way through the field that starts at byte {at}: \
             it is truncated"
        ));
    }
    let pos = track.pos.get();
    if facts.release >= 117 {
        const CLOSE: &[u8] = b"</stata_dta>";
        let rest = bytes.get(pos..).unwrap_or_default();
        if rest.len() < CLOSE.len() && CLOSE.starts_with(rest) {
            return Err(format!(
                "the file ends at byte {len}, before its closing </stata_dta> tag (expected at \
                 byte {pos}): it is truncated"
            ));
        }
        if !rest.starts_with(CLOSE) {
            return Err(format!(
                "expected the closing </stata_dta> tag at byte {pos}, after the value labels; \
                 found other bytes"
            ));
        }
        if rest.len() > CLOSE.len() {
            return Err(format!(
                "the file goes on for {} bytes after its closing </stata_dta> tag (byte {pos}): \
                 trailing data",
                rest.len() - CLOSE.len()
            ));
        }
    } else {
        if pos != len {
            return Err(format!(
                "the reader stopped at byte {pos} of {len}: unread trailing data"
            ));
        }
        // A file cut exactly between two value-label tables reads cleanly (see
        // `check_old_label_tables`); the tables the variables name are the only witness.
        if let Some((var, set)) = parsed.dangling.first() {
            return Err(format!(
                "variable `{var}` uses the value labels `{set}`, which are not in the file: the \
                 file may be truncated (before release 117 a .dta file has no end marker after \
                 its value labels)"
            ));
        }
    }
    Ok(())
}
