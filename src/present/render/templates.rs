//! Where the templates and strings files come from (compiled in, or a folder with the same
//! layout), and the checks that stop a run before any analysis when one of them is wrong.

use std::collections::BTreeMap;
use std::path::Path;

use super::engine;
use super::strings::{keys, parse_strings, NumberFormat, Strings};
use crate::error::{Error, Result};
use crate::spec::TemplateSet;

/// The default templates, compiled in so the binary works from any folder.
const DEFAULT_TEMPLATES: &[(&str, &str)] = &[
    (
        "md/brief.md",
        include_str!("../../../report_templates/md/brief.md"),
    ),
    (
        "md/highlights.md",
        include_str!("../../../report_templates/md/highlights.md"),
    ),
    (
        "md/methods.md",
        include_str!("../../../report_templates/md/methods.md"),
    ),
    (
        "md/lnob.md",
        include_str!("../../../report_templates/md/lnob.md"),
    ),
    (
        "md/progress.md",
        include_str!("../../../report_templates/md/progress.md"),
    ),
    (
        "md/means.md",
        include_str!("../../../report_templates/md/means.md"),
    ),
    (
        "md/programmes.md",
        include_str!("../../../report_templates/md/programmes.md"),
    ),
    (
        "md/comparison.md",
        include_str!("../../../report_templates/md/comparison.md"),
    ),
    (
        "md/breakdowns.md",
        include_str!("../../../report_templates/md/breakdowns.md"),
    ),
    (
        "md/breakdown_group.md",
        include_str!("../../../report_templates/md/breakdown_group.md"),
    ),
    (
        "md/next_steps.md",
        include_str!("../../../report_templates/md/next_steps.md"),
    ),
    (
        "md/annex.md",
        include_str!("../../../report_templates/md/annex.md"),
    ),
    (
        "typ/brief.typ",
        include_str!("../../../report_templates/typ/brief.typ"),
    ),
    (
        "typ/highlights.typ",
        include_str!("../../../report_templates/typ/highlights.typ"),
    ),
    (
        "typ/methods.typ",
        include_str!("../../../report_templates/typ/methods.typ"),
    ),
    (
        "typ/lnob.typ",
        include_str!("../../../report_templates/typ/lnob.typ"),
    ),
    (
        "typ/progress.typ",
        include_str!("../../../report_templates/typ/progress.typ"),
    ),
    (
        "typ/means.typ",
        include_str!("../../../report_templates/typ/means.typ"),
    ),
    (
        "typ/programmes.typ",
        include_str!("../../../report_templates/typ/programmes.typ"),
    ),
    (
        "typ/comparison.typ",
        include_str!("../../../report_templates/typ/comparison.typ"),
    ),
    (
        "typ/breakdowns.typ",
        include_str!("../../../report_templates/typ/breakdowns.typ"),
    ),
    (
        "typ/breakdown_group.typ",
        include_str!("../../../report_templates/typ/breakdown_group.typ"),
    ),
    (
        "typ/next_steps.typ",
        include_str!("../../../report_templates/typ/next_steps.typ"),
    ),
    (
        "typ/annex.typ",
        include_str!("../../../report_templates/typ/annex.typ"),
    ),
    (
        "strings/en.toml",
        include_str!("../../../report_templates/strings/en.toml"),
    ),
    (
        "strings/id.toml",
        include_str!("../../../report_templates/strings/id.toml"),
    ),
];

/// The strings file every other language is checked against (same keys).
const REFERENCE_STRINGS: &str = "strings/en.toml";

pub(super) fn strings_name(language: &str) -> String {
    format!("strings/{language}.toml")
}

/// Where templates come from: the compiled-in defaults or a user folder with the same layout.
pub enum TemplateSource<'a> {
    Default,
    Folder(&'a Path),
}

/// The `source` of the compiled-in templates.
pub const BUILT_IN: &str = "built-in";

/// The templates in use: where they came from and their texts (name → text).
#[derive(Debug, Clone)]
pub struct Templates {
    /// "built-in" or the folder given.
    pub source: String,
    pub texts: BTreeMap<String, String>,
}

/// Load the templates and compile them once, so a template error stops the run before any
/// analysis starts.
pub fn load_templates(source: &TemplateSource, sets: &[TemplateSet]) -> Result<Templates> {
    let mut out = BTreeMap::new();
    for (name, text) in DEFAULT_TEMPLATES {
        let text = match source {
            TemplateSource::Default => text.to_string(),
            TemplateSource::Folder(dir) => read_from_folder(dir, name)?,
        };
        out.insert(name.to_string(), text);
    }
    let templates = Templates {
        source: match source {
            TemplateSource::Default => BUILT_IN.into(),
            TemplateSource::Folder(dir) => dir.display().to_string(),
        },
        texts: out,
    };
    check_languages(&templates, sets)?;
    Ok(templates)
}

/// The text of template `name` in a user folder; a symbolic link may not lead out of the folder.
fn read_from_folder(dir: &Path, name: &str) -> Result<String> {
    let path = dir.join(name);
    if let (Ok(file), Ok(root)) = (std::fs::canonicalize(&path), std::fs::canonicalize(dir)) {
        if !file.starts_with(&root) {
            return Err(Error::Template {
                template: path.display().to_string(),
                message: format!(
                    "a symbolic link leads outside the template folder (to {}); copy \
                     the file into the folder instead",
                    file.display()
                ),
            });
        }
    }
    std::fs::read_to_string(&path).map_err(|e| Error::Template {
        template: path.display().to_string(),
        message: format!("cannot read: {e}"),
    })
}

/// Every strings file must parse and carry exactly the keys of the built-in English one, so a
/// missing sentence stops the run here rather than in the middle of rendering; and every template
/// must compile with every language.
fn check_languages(templates: &Templates, sets: &[TemplateSet]) -> Result<()> {
    let reference = parse_strings(
        REFERENCE_STRINGS,
        DEFAULT_TEMPLATES
            .iter()
            .find(|(n, _)| *n == REFERENCE_STRINGS)
            .map(|(_, t)| *t)
            .expect("built-in English strings"),
    )?;
    let reference_keys = keys(&reference);
    for language in languages() {
        let strings = templates.strings(language)?;
        let found = keys(&strings.text);
        let missing: Vec<_> = reference_keys.difference(&found).cloned().collect();
        let extra: Vec<_> = found.difference(&reference_keys).cloned().collect();
        if !missing.is_empty() || !extra.is_empty() {
            return Err(Error::Template {
                template: templates.location(&strings_name(language)),
                message: format!(
                    "the keys differ from the built-in English strings: missing [{}], unknown [{}]",
                    missing.join(", "),
                    extra.join(", ")
                ),
            });
        }
        for &set in sets {
            engine(templates, set, &strings)?;
        }
    }
    Ok(())
}

/// The languages a brief can be written in (one built-in strings file each).
pub fn languages() -> impl Iterator<Item = &'static str> {
    DEFAULT_TEMPLATES.iter().filter_map(|(name, _)| {
        name.strip_prefix("strings/")
            .and_then(|n| n.strip_suffix(".toml"))
    })
}

impl Templates {
    /// Where a template or strings file was read from, for error messages.
    pub(super) fn location(&self, name: &str) -> String {
        match self.source.as_str() {
            BUILT_IN => format!("{BUILT_IN} {name}"),
            dir => Path::new(dir).join(name).display().to_string(),
        }
    }

    /// The strings of one language.
    pub fn strings(&self, language: &str) -> Result<Strings> {
        let name = strings_name(language);
        let text = self.texts.get(&name).ok_or_else(|| Error::Template {
            template: self.location(&name),
            message: format!(
                "no strings file for language \"{language}\"; available: {}",
                languages().collect::<Vec<_>>().join(", ")
            ),
        })?;
        let text = parse_strings(&self.location(&name), text)?;
        let field = |key: &str| {
            text.get("number")
                .and_then(|n| n.get(key))
                .cloned()
                .unwrap_or_default()
        };
        let number = NumberFormat {
            decimal: field("decimal"),
            thousands: field("thousands"),
        };
        if number.decimal.is_empty() || number.decimal == number.thousands {
            return Err(Error::Template {
                template: self.location(&name),
                message:
                    "number.decimal must be a non-empty mark that differs from number.thousands"
                        .into(),
            });
        }
        Ok(Strings {
            language: language.to_string(),
            text,
            number,
        })
    }
}

/// The built-in strings of a language (the analysis composes group labels and reliability flags
/// with them, before any template is chosen).
pub fn builtin_strings(language: &str) -> Result<Strings> {
    let texts = DEFAULT_TEMPLATES
        .iter()
        .filter(|(name, _)| name.starts_with("strings/"))
        .map(|(name, text)| (name.to_string(), text.to_string()))
        .collect();
    Templates {
        source: BUILT_IN.into(),
        texts,
    }
    .strings(language)
}
