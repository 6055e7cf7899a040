//! The fixed text of a language: its strings file as sections of texts with `{placeholders}`,
//! and how it writes numbers.

use std::collections::BTreeMap;

use super::templates::strings_name;
use crate::error::{Error, Result};

/// Sections of a strings file and their texts (`[lnob] heading = "..."`).
pub type StringTable = BTreeMap<String, BTreeMap<String, String>>;

pub(super) fn parse_strings(location: &str, text: &str) -> Result<StringTable> {
    toml::from_str::<StringTable>(text).map_err(|e| Error::Template {
        template: location.to_string(),
        message: format!(
            "expected sections of plain strings (`[section]` then `key = \"text\"`): {}",
            e.to_string().trim_end()
        ),
    })
}

/// Every key as `section.key`.
pub(super) fn keys(table: &StringTable) -> std::collections::BTreeSet<String> {
    table
        .iter()
        .flat_map(|(section, entries)| entries.keys().map(move |k| format!("{section}.{k}")))
        .collect()
}

/// The fixed text of one language and its number format.
#[derive(Debug, Clone)]
pub struct Strings {
    pub language: String,
    pub text: StringTable,
    pub number: NumberFormat,
}

impl Strings {
    /// The text at `section.key`, its `{placeholders}` replaced by `args` (plain text: for
    /// charts, which need no escaping).
    pub fn fill(&self, key: &str, args: &[(&str, &str)]) -> Result<String> {
        let problem = |message: String| Error::Template {
            template: strings_name(&self.language),
            message,
        };
        let text = key
            .split_once('.')
            .and_then(|(section, k)| self.text.get(section)?.get(k))
            .ok_or_else(|| problem(format!("no string `{key}`")))?;
        let mut out = String::new();
        for piece in pieces(text) {
            match piece {
                Piece::Text(s) => out.push_str(s),
                Piece::Placeholder(name) => match args.iter().find(|(n, _)| *n == name) {
                    Some((_, value)) => out.push_str(value),
                    None => return Err(problem(format!("`{key}`: no value for {{{name}}}"))),
                },
            }
        }
        Ok(out)
    }
}

/// A piece of a strings-file text: literal text or a `{name}` placeholder.
#[derive(Debug, PartialEq)]
pub enum Piece<'a> {
    Text(&'a str),
    Placeholder(&'a str),
}

/// Split a text into literal pieces and `{name}` placeholders (name: ASCII letters, digits and
/// `_`); any other brace is literal text.
pub fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    let bytes = text.as_bytes();
    while i < bytes.len() {
        if bytes[i] == b'{' {
            if let Some(len) = text[i + 1..].find('}') {
                let name = &text[i + 1..i + 1 + len];
                if !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                {
                    if start < i {
                        out.push(Piece::Text(&text[start..i]));
                    }
                    out.push(Piece::Placeholder(name));
                    i += len + 2;
                    start = i;
                    continue;
                }
            }
        }
        i += 1;
    }
    if start < text.len() {
        out.push(Piece::Text(&text[start..]));
    }
    out
}

/// How a language writes numbers: decimal mark and thousands separator.
#[derive(Debug, Clone, PartialEq)]
pub struct NumberFormat {
    pub decimal: String,
    pub thousands: String,
}

impl NumberFormat {
    /// `x` with `digits` decimals (no thousands separator: 1234.5 → "1234.5" or "1234,5").
    pub fn fixed(&self, x: f64, digits: usize) -> String {
        self.localise(&format!("{x:.digits$}"))
    }

    /// Like `fixed`, always with a sign (+1.2, -0.4).
    pub fn signed(&self, x: f64, digits: usize) -> String {
        self.localise(&format!("{x:+.digits$}"))
    }

    /// A share as percent: 0.8531 → "85.3" ("85,3").
    pub fn pct(&self, share: f64, digits: usize) -> String {
        self.fixed(100.0 * share, digits)
    }

    /// A whole number with thousands separators: 1234567 → "1,234,567" ("1.234.567").
    pub fn int(&self, x: f64) -> String {
        group_thousands(x).replace(',', &self.thousands)
    }

    fn localise(&self, machine: &str) -> String {
        machine.replace('.', &self.decimal)
    }
}

/// Thousands separators for a whole number (1234567 → "1,234,567").
pub fn group_thousands(x: f64) -> String {
    let neg = x < 0.0;
    let digits = format!("{:.0}", x.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if neg {
        format!("-{out}")
    } else {
        out
    }
}
