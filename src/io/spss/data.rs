//! The data section of a `.sav` / `.zsav` file checked against its header and its compression's
//! own framing: whole cases, no block cut short, nothing after the end.

use super::layout::{Bytes, Layout};

/// Bytecode: end of the data.
const CODE_END_OF_DATA: u8 = 252;
/// Bytecode: an uncompressed 8-byte value follows the control block.
const CODE_RAW_FOLLOWS: u8 = 253;

impl Layout {
    /// Check the data section against the header and the compression's own framing; `rows` is
    /// what `ambers` read (None when it failed, to explain its error).
    pub(super) fn check_data(
        &self,
        bytes: &[u8],
        rows: Option<usize>,
    ) -> std::result::Result<(), String> {
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
