//! Render the brief from `Results` with tera: one template set per format (Markdown, Typst), one
//! partial per VNR section. Every value printed from data or spec is escaped for the target format
//! by tera's autoescape with a format-specific escape function, so a label such as
//! `#set page(width: 1cm)` or `| *x* |` cannot change the document's structure.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use serde::Serialize;
use tera::{Context, Kwargs, State, Tera};

use crate::charts::ChartFile;
use crate::error::{Error, Result};
use crate::results::Results;
use crate::tables::TableFile;

/// The default templates, compiled in so the binary works from any folder.
const DEFAULT_TEMPLATES: &[(&str, &str)] = &[
    (
        "md/brief.md",
        include_str!("../report_templates/md/brief.md"),
    ),
    (
        "md/highlights.md",
        include_str!("../report_templates/md/highlights.md"),
    ),
    (
        "md/methods.md",
        include_str!("../report_templates/md/methods.md"),
    ),
    ("md/lnob.md", include_str!("../report_templates/md/lnob.md")),
    (
        "md/progress.md",
        include_str!("../report_templates/md/progress.md"),
    ),
    (
        "md/means.md",
        include_str!("../report_templates/md/means.md"),
    ),
    (
        "md/next_steps.md",
        include_str!("../report_templates/md/next_steps.md"),
    ),
    (
        "md/annex.md",
        include_str!("../report_templates/md/annex.md"),
    ),
    (
        "typ/brief.typ",
        include_str!("../report_templates/typ/brief.typ"),
    ),
    (
        "typ/highlights.typ",
        include_str!("../report_templates/typ/highlights.typ"),
    ),
    (
        "typ/methods.typ",
        include_str!("../report_templates/typ/methods.typ"),
    ),
    (
        "typ/lnob.typ",
        include_str!("../report_templates/typ/lnob.typ"),
    ),
    (
        "typ/progress.typ",
        include_str!("../report_templates/typ/progress.typ"),
    ),
    (
        "typ/means.typ",
        include_str!("../report_templates/typ/means.typ"),
    ),
    (
        "typ/next_steps.typ",
        include_str!("../report_templates/typ/next_steps.typ"),
    ),
    (
        "typ/annex.typ",
        include_str!("../report_templates/typ/annex.typ"),
    ),
];

/// Where templates come from: the compiled-in defaults or a user folder with the same layout.
pub enum TemplateSource<'a> {
    Default,
    Folder(&'a Path),
}

/// The templates in use: where they came from and their texts (name → text).
#[derive(Debug, Clone)]
pub struct Templates {
    /// "built-in" or the folder given.
    pub source: String,
    pub texts: BTreeMap<String, String>,
}

/// Load the templates and compile them once, so a template error stops the run before any
/// analysis starts.
pub fn load_templates(source: &TemplateSource, formats: &[String]) -> Result<Templates> {
    let mut out = BTreeMap::new();
    for (name, text) in DEFAULT_TEMPLATES {
        let text = match source {
            TemplateSource::Default => text.to_string(),
            TemplateSource::Folder(dir) => {
                let path = dir.join(name);
                std::fs::read_to_string(&path).map_err(|e| Error::Template {
                    template: path.display().to_string(),
                    message: format!("cannot read: {e}"),
                })?
            }
        };
        out.insert(name.to_string(), text);
    }
    let templates = Templates {
        source: match source {
            TemplateSource::Default => "built-in".into(),
            TemplateSource::Folder(dir) => dir.display().to_string(),
        },
        texts: out,
    };
    for format in formats {
        engine(&templates, format)?;
    }
    Ok(templates)
}

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

/// A tera instance for one format, its escape function and its main template.
fn engine(templates: &Templates, format: &str) -> Result<(Tera, &'static str)> {
    let (prefix, suffix, escape, main): (&str, &'static str, tera::EscapeFn, &'static str) =
        match format {
            "md" => ("md/", ".md", escape_markdown, "md/brief.md"),
            "typ" => ("typ/", ".typ", escape_typst, "typ/brief.typ"),
            other => unreachable!("format {other} is validated"),
        };
    let mut tera = Tera::new();
    tera.autoescape_on([suffix]);
    tera.set_escape_fn(escape);
    // Shares as percent: 0.8531 → "85.3".
    tera.register_filter("pct", |x: f64, kw: Kwargs, _: &State| {
        format!("{:.*}", digits(&kw, 1), 100.0 * x)
    });
    tera.register_filter("num", |x: f64, kw: Kwargs, _: &State| {
        format!("{:.*}", digits(&kw, 3), x)
    });
    tera.register_filter("int", |x: f64, _: Kwargs, _: &State| group_thousands(x));
    // Percentage-point difference of two shares: (a − b)·100 with its sign.
    tera.register_filter("pp", |x: f64, kw: Kwargs, _: &State| {
        format!("{:+.*}", digits(&kw, 1), 100.0 * x)
    });
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
    r: &'a Results,
    charts: &'a [ChartFile],
    tables: &'a [TableFile],
}

/// Render the requested formats; returns (file name, text) pairs.
pub fn render(
    results: &Results,
    charts: &[ChartFile],
    tables: &[TableFile],
    templates: &Templates,
    formats: &[String],
) -> Result<Vec<(String, String)>> {
    let context = Context::from_serialize(&View {
        r: results,
        charts,
        tables,
    })
    .map_err(|e| template_error(&templates.source, e))?;
    let mut out = Vec::new();
    for format in formats {
        let (tera, main) = engine(templates, format)?;
        let text = tera
            .render(main, &context)
            .map_err(|e| template_error(&templates.source, e))?;
        out.push((format!("brief.{format}"), tidy(&text)));
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

    #[test]
    fn thousands() {
        assert_eq!(group_thousands(1234567.4), "1,234,567");
        assert_eq!(group_thousands(999.0), "999");
        assert_eq!(group_thousands(-1000.0), "-1,000");
        assert_eq!(group_thousands(0.0), "0");
    }
}
