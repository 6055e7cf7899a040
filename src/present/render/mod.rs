//! Render the brief from `Results` with tera: one template set per format (Markdown, Typst), one
//! partial per VNR section. Every value printed from data or spec is escaped for the target format
//! by tera's autoescape with a format-specific escape function, so a label such as
//! `#set page(width: 1cm)` or `| *x* |` cannot change the document's structure.
//!
//! Fixed text comes from one strings file per language (`strings/<language>.toml`, the same keys in
//! every language), given to the templates as `t`. Sentences with values inside are filled by the
//! `fill` filter (`{{ t.means.intro | fill(wave=..., gini=...) }}`), which escapes the sentence
//! and every value it receives, except values built as markup in the template itself (a
//! `{% set x %}...{% endset %}` block, whose content tera has already escaped). The number filters
//! (`pct`, `num`, `int`, `pp`) use the language's decimal mark and thousands separator.

use std::io::Write;

use serde::Serialize;
use tera::{Context, Kwargs, State, StringInput, Tera, Value};

use crate::error::{Error, Result};
use crate::present::charts::ChartFile;
use crate::present::tables::TableFile;
use crate::results::Results;
use crate::spec::TemplateSet;

mod strings;
mod templates;

pub use strings::{group_thousands, pieces, NumberFormat, Piece, StringTable, Strings};
pub use templates::{
    builtin_strings, languages, load_templates, TemplateSource, Templates, BUILT_IN,
};

/// Markdown: backslash-escape the ASCII punctuation that can start structure (emphasis, links,
/// headings, tables, HTML, math).
fn escape_markdown(input: &str, buf: &mut dyn Write) -> std::io::Result<()> {
    for ch in input.chars() {
        match ch {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '$' | '~' | '&' | '!' => {
                write!(buf, "\\{ch}")?
            }
            '\n' | '\r' => buf.write_all(b" ")?,
            _ => write!(buf, "{ch}")?,
        }
    }
    Ok(())
}

/// Typst markup: backslash-escape every character with a markup meaning.
fn escape_typst(input: &str, buf: &mut dyn Write) -> std::io::Result<()> {
    for ch in input.chars() {
        match ch {
            '\\' | '#' | '$' | '*' | '_' | '<' | '>' | '@' | '[' | ']' | '~' | '`' | '/' | '='
            | '+' | '-' | '"' | '\'' => write!(buf, "\\{ch}")?,
            '\n' | '\r' => buf.write_all(b" ")?,
            _ => write!(buf, "{ch}")?,
        }
    }
    Ok(())
}

fn digits(kwargs: &Kwargs, default: i64) -> usize {
    kwargs
        .get::<i64>("digits")
        .ok()
        .flatten()
        .unwrap_or(default)
        .clamp(0, 10) as usize
}

/// A tera instance for one format and language, its escape function and its main template.
fn engine(
    templates: &Templates,
    set: TemplateSet,
    strings: &Strings,
) -> Result<(Tera, &'static str)> {
    let (prefix, suffix, escape, main): (&str, &'static str, tera::EscapeFn, &'static str) =
        match set {
            TemplateSet::Md => ("md/", ".md", escape_markdown, "md/brief.md"),
            TemplateSet::Typ => ("typ/", ".typ", escape_typst, "typ/brief.typ"),
        };
    let mut tera = Tera::new();
    tera.autoescape_on([suffix]);
    tera.set_escape_fn(escape);
    let nf = std::sync::Arc::new(strings.number.clone());
    // Shares as percent: 0.8531 → "85.3" (en), "85,3" (id).
    let f = nf.clone();
    tera.register_filter("pct", move |x: f64, kw: Kwargs, _: &State| {
        f.pct(x, digits(&kw, 1))
    });
    let f = nf.clone();
    tera.register_filter("num", move |x: f64, kw: Kwargs, _: &State| {
        f.fixed(x, digits(&kw, 3))
    });
    let f = nf.clone();
    tera.register_filter("int", move |x: f64, _: Kwargs, _: &State| f.int(x));
    // Percentage-point difference of two shares: (a − b)·100 with its sign.
    let f = nf;
    tera.register_filter("pp", move |x: f64, kw: Kwargs, _: &State| {
        f.signed(100.0 * x, digits(&kw, 1))
    });
    tera.register_filter("fill", fill);
    let mine: Vec<(&str, &str)> = templates
        .texts
        .iter()
        .filter(|(name, _)| name.starts_with(prefix))
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    tera.add_raw_templates(mine)
        .map_err(|e| template_error(&templates.source, e))?;
    Ok((tera, main))
}

/// `{{ t.section.key | fill(name=value, ...) }}`: the text with its placeholders filled. The text
/// and every value are escaped for the format (values already marked safe — markup captured with
/// `{% set %}...{% endset %}` — are inserted as they are); the result is marked safe.
fn fill(text: StringInput, kw: Kwargs, state: &State) -> tera::TeraResult<Value> {
    let mut out = String::new();
    for piece in pieces(text.as_str()) {
        match piece {
            Piece::Text(s) => {
                if text.is_safe() || !state.autoescaping_enabled() {
                    out.push_str(s)
                } else {
                    out.push_str(&state.escape(s)?)
                }
            }
            Piece::Placeholder(name) => {
                let value: &Value = kw.get(name)?.ok_or_else(|| {
                    tera::Error::message(format!(
                        "fill: no value given for {{{name}}} in \"{}\"",
                        text.as_str()
                    ))
                })?;
                out.push_str(&state.escape_if_needed(value)?);
            }
        }
    }
    Ok(Value::safe_string(&out))
}

fn template_error(source_name: &str, e: tera::Error) -> Error {
    // tera's message names the template and the line; keep its whole chain.
    let mut message = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        message.push_str(&format!("\n  caused by: {s}"));
        source = s.source();
    }
    Error::Template {
        template: format!("templates ({source_name})"),
        message,
    }
}

#[derive(Serialize)]
struct View<'a> {
    /// The results with groups, flags and reasons in words (`words::Words::view`).
    r: serde_json::Value,
    charts: &'a [ChartFile],
    tables: &'a [TableFile],
    /// The fixed text of the brief's language.
    t: &'a StringTable,
}

/// Render the brief from each template set; returns (set, text) pairs in the order given.
pub fn render(
    results: &Results,
    charts: &[ChartFile],
    tables: &[TableFile],
    templates: &Templates,
    sets: &[TemplateSet],
) -> Result<Vec<(TemplateSet, String)>> {
    let strings = templates.strings(&results.brief.language)?;
    let context = Context::from_serialize(&View {
        r: super::words::Words::new(&strings).view(results)?,
        charts,
        tables,
        t: &strings.text,
    })
    .map_err(|e| template_error(&templates.source, e))?;
    let mut out = Vec::new();
    for &set in sets {
        let (tera, main) = engine(templates, set, &strings)?;
        let text = tera
            .render(main, &context)
            .map_err(|e| template_error(&templates.source, e))?;
        out.push((set, tidy(&text)));
    }
    Ok(out)
}

/// Collapse runs of blank lines left by template logic, and end with one newline.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = 0;
    for line in text.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank += 1;
            if blank > 1 {
                continue;
            }
        } else {
            blank = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::strings::keys;
    use super::*;

    fn esc(f: fn(&str, &mut dyn Write) -> std::io::Result<()>, s: &str) -> String {
        let mut buf = Vec::new();
        f(s, &mut buf).unwrap();
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn markdown_escape_neutralises_structure() {
        assert_eq!(
            esc(escape_markdown, "a | *b* _c_ #d"),
            r"a \| \*b\* \_c\_ \#d"
        );
        assert_eq!(esc(escape_markdown, "Nusa Tenggara"), "Nusa Tenggara");
    }

    #[test]
    fn typst_escape_neutralises_structure() {
        assert_eq!(
            esc(escape_typst, "#set page(width: 1cm) $x$ *_<a>"),
            r"\#set page(width: 1cm) \$x\$ \*\_\<a\>"
        );
        assert_eq!(esc(escape_typst, "// not a comment"), r"\/\/ not a comment");
    }

    fn builtin(language: &str) -> Strings {
        load_templates(
            &TemplateSource::Default,
            &[TemplateSet::Md, TemplateSet::Typ],
        )
        .unwrap()
        .strings(language)
        .unwrap()
    }

    /// Placeholders of a text, in order.
    fn placeholders(text: &str) -> Vec<&str> {
        pieces(text)
            .into_iter()
            .filter_map(|p| match p {
                Piece::Placeholder(name) => Some(name),
                Piece::Text(_) => None,
            })
            .collect()
    }

    #[test]
    fn strings_files_have_the_same_keys_and_placeholders() {
        let en = builtin("en");
        let id = builtin("id");
        assert_eq!(keys(&en.text), keys(&id.text));
        assert!(
            keys(&en.text).len() > 150,
            "every fixed text is in the file"
        );
        for (section, entries) in &en.text {
            for (key, text) in entries {
                let theirs = &id.text[section][key];
                let mut a = placeholders(text);
                let mut b = placeholders(theirs);
                a.sort_unstable();
                b.sort_unstable();
                assert_eq!(a, b, "{section}.{key}: placeholders differ");
                // Texts that read the same in both languages (symbols, names, abbreviations).
                let same = [
                    "common.col_n",
                    "common.col_hoi",
                    "methods.col_sha",
                    "annex.col_sha",
                    "lnob.col_d_logit",
                    "means.col_gini",
                    "means.col_palma",
                    "means.col_decile",
                    "means.col_shapley_part",
                    "charts.tree_box_rate",
                    "labels.flag_n",
                    "labels.flag_cv",
                    "dates.date",
                    "dates.month_04",
                    "dates.month_09",
                    "dates.month_11",
                ];
                let full = format!("{section}.{key}");
                if section != "number" && !same.contains(&full.as_str()) {
                    assert_ne!(text, theirs, "{section}.{key} is not translated");
                }
            }
        }
        // Languages the spec accepts are exactly those with a built-in strings file.
        assert_eq!(
            languages().collect::<Vec<_>>(),
            crate::spec::LANGUAGES.to_vec()
        );
    }

    #[test]
    fn placeholders_are_found_and_other_braces_kept() {
        assert_eq!(
            pieces("a {x} b {not one} {}{y_2}"),
            vec![
                Piece::Text("a "),
                Piece::Placeholder("x"),
                Piece::Text(" b {not one} {}"),
                Piece::Placeholder("y_2"),
            ]
        );
        let en = builtin("en");
        assert_eq!(en.fill("common.table", &[("n", "A1")]).unwrap(), "Table A1");
        assert!(en.fill("common.table", &[]).is_err(), "a missing value");
        assert!(en.fill("common.nothing", &[]).is_err(), "an unknown key");
    }

    #[test]
    fn numbers_per_language() {
        let en = builtin("en").number;
        let id = builtin("id").number;
        assert_eq!(id.int(1234567.4), "1.234.567");
        assert_eq!(en.int(1234567.4), "1,234,567");
        assert_eq!(id.int(-1000.0), "-1.000");
        assert_eq!(id.pct(0.8531, 1), "85,3");
        assert_eq!(en.pct(0.8531, 1), "85.3");
        assert_eq!(id.fixed(0.40512, 3), "0,405");
        assert_eq!(id.signed(-4.83, 1), "-4,8");
        assert_eq!(en.signed(2.34, 1), "+2.3");
        assert_eq!(id.fixed(12345.5, 1), "12345,5", "no grouping outside `int`");
    }

    #[test]
    fn fill_escapes_text_and_values_but_not_template_markup() {
        let id = builtin("id");
        for (format, name, expected) in [
            (
                TemplateSet::Md,
                "md/brief.md",
                r"Paling tertinggal: **A\_b** (\#c\*%). 85,3 1.234.567",
            ),
            (
                TemplateSet::Typ,
                "typ/brief.typ",
                r"Paling tertinggal: **A\_b** (\#c\*%). 85,3 1.234.567",
            ),
        ] {
            let templates = Templates {
                source: "test".into(),
                texts: [(
                    name.to_string(),
                    "{% set b %}**{{ x.group }}**{% endset %}{{ t.highlights.furthest_behind | fill(group=b, rate=x.rate) }} {{ 0.8531 | pct }} {{ 1234567.4 | int }}".to_string(),
                )]
                .into(),
            };
            let (tera, main) = engine(&templates, format, &id).unwrap();
            let mut context = Context::new();
            context.insert("t", &id.text);
            context.insert("x", &BTreeMap::from([("group", "A_b"), ("rate", "#c*")]));
            assert_eq!(tera.render(main, &context).unwrap(), expected, "{format:?}");
        }
    }

    #[test]
    fn thousands() {
        assert_eq!(group_thousands(1234567.4), "1,234,567");
        assert_eq!(group_thousands(999.0), "999");
        assert_eq!(group_thousands(-1000.0), "-1,000");
        assert_eq!(group_thousands(0.0), "0");
    }
}
