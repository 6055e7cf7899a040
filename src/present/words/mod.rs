//! Results put into words, in the brief's language: a group from its conditions ("Wealth:
//! Poorest 20% · Age: 26.5 or more", or "Everyone"), a reliability flag from its reason code, why
//! no tree was grown. The texts are section `[labels]` of the strings file; numbers take the
//! language's decimal mark.
//!
//! `view` turns `results.json` into what the templates read: the same data with every group,
//! flag, tree edge, skipped-tree reason and missing regional group replaced by its text.

use serde_json::Value;

mod population;

use super::render::Strings;
use crate::error::Result;
use crate::estimate::measures::PovertyLine;
use crate::results::lnob::{Allowed, Condition, Flag, Group, NoRegionalGroup, NoTree};
use crate::spec::Covers;

/// Words for one language.
pub struct Words<'a> {
    strings: &'a Strings,
}

impl<'a> Words<'a> {
    pub fn new(strings: &'a Strings) -> Self {
        Words { strings }
    }

    fn text(&self, key: &str, args: &[(&str, &str)]) -> Result<String> {
        self.strings.fill(&format!("labels.{key}"), args)
    }

    /// A threshold of a numeric circumstance, with the language's decimal mark.
    fn number(&self, x: f64) -> String {
        crate::io::format_code(x).replace('.', &self.strings.number.decimal)
    }

    /// What a condition allows: level labels joined, or the bounds in words.
    pub fn allowed(&self, allowed: &Allowed) -> Result<String> {
        match allowed {
            Allowed::Levels(levels) => Ok(levels.join(", ")),
            Allowed::Range {
                lower,
                upper,
                whole_numbers: false,
            } => {
                let f = |x: f64| self.number(x);
                match (lower, upper) {
                    (Some(l), Some(h)) => self.text("from_to", &[("from", &f(*l)), ("to", &f(*h))]),
                    (Some(l), None) => self.text("from", &[("from", &f(*l))]),
                    (None, Some(h)) => self.text("to", &[("to", &f(*h))]),
                    (None, None) => Ok(String::new()),
                }
            }
            // Whole values: x ≥ 26.5 is x ≥ 27, and x < 26.5 is x ≤ 26.
            Allowed::Range {
                lower,
                upper,
                whole_numbers: true,
            } => {
                let (lo, hi) = (lower.map(f64::ceil), upper.map(|h| h.ceil() - 1.0));
                let f = |x: f64| self.number(x);
                match (lo, hi) {
                    (Some(l), Some(h)) if l == h => Ok(f(l)),
                    (Some(l), Some(h)) => {
                        self.text("from_to_whole", &[("from", &f(l)), ("to", &f(h))])
                    }
                    (Some(l), None) => self.text("from", &[("from", &f(l))]),
                    (None, Some(h)) => self.text("to_whole", &[("to", &f(h))]),
                    (None, None) => Ok(String::new()),
                }
            }
        }
    }

    /// "Residence: Rural".
    pub fn condition(&self, c: &Condition) -> Result<String> {
        Ok(format!("{}: {}", c.label, self.allowed(&c.allowed)?))
    }

    /// The group's conditions joined with " · ", or "Everyone".
    pub fn group(&self, g: &Group) -> Result<String> {
        if g.conditions.is_empty() {
            return self.text("everyone", &[]);
        }
        let parts = g
            .conditions
            .iter()
            .map(|c| self.condition(c))
            .collect::<Result<Vec<_>>>()?;
        Ok(parts.join(" · "))
    }

    /// A group in plain words, as ESCAP writes it: "households whose wealth is Poorest 20% and
    /// residence is Rural"; everyone is "all households". Its noun is whom the indicator covers.
    pub fn describe(&self, g: &Group, covers: &Covers) -> Result<String> {
        let noun = self.covers(covers)?;
        if g.conditions.is_empty() {
            return self.text("describe_everyone", &[("noun", &noun)]);
        }
        let clauses = g
            .conditions
            .iter()
            .map(|c| self.clause(c))
            .collect::<Result<Vec<_>>>()?;
        let conditions = self.join(&clauses, "and")?;
        self.text("describe", &[("noun", &noun), ("conditions", &conditions)])
    }

    /// One condition as a clause: "residence is Rural", "age is 27 or more".
    fn clause(&self, c: &Condition) -> Result<String> {
        let allowed = match &c.allowed {
            Allowed::Levels(levels) => self.join(levels, "or")?,
            range => self.allowed(range)?,
        };
        self.text(
            "describe_condition",
            &[("label", &lower_first(&c.label)), ("allowed", &allowed)],
        )
    }

    /// "a", "a or b", "a, b or c" (`word` is the strings key of "or" or "and").
    fn join(&self, items: &[String], word: &str) -> Result<String> {
        let word = self.text(word, &[])?;
        Ok(match items {
            [] => String::new(),
            [one] => one.clone(),
            [init @ .., last] => format!("{} {word} {last}", init.join(", ")),
        })
    }

    pub fn flag(&self, f: &Flag) -> Result<String> {
        match f {
            Flag::FewRecords { n, min } => self.text(
                "flag_n",
                &[("n", &n.to_string()), ("min", &min.to_string())],
            ),
            Flag::HighCv { cv, max } => {
                let cv = cv.map_or("inf".to_string(), |cv| format!("{:.0}", 100.0 * cv));
                self.text(
                    "flag_cv",
                    &[("cv", &cv), ("max", &format!("{:.0}", 100.0 * max))],
                )
            }
        }
    }

    /// A circumstance that can mislead, in a sentence (the rules in `claims::cautions`).
    pub fn caution(&self, c: &super::claims::Caution) -> Result<String> {
        use super::claims::{Caution, MAX_LEVELS, MIN_PER_LEVEL};
        let num = &self.strings.number;
        let (max, min) = (MAX_LEVELS.to_string(), num.int(MIN_PER_LEVEL));
        match c {
            Caution::ManyLevels {
                circumstance,
                levels,
                per_level: Some((indicator, per)),
            } => self.text(
                "caution_levels",
                &[
                    ("circumstance", circumstance),
                    ("levels", &levels.to_string()),
                    ("per_level", &num.int(*per)),
                    ("indicator", indicator),
                    ("max", &max),
                    ("min", &min),
                ],
            ),
            Caution::ManyLevels {
                circumstance,
                levels,
                per_level: None,
            } => self.text(
                "caution_levels_spec",
                &[
                    ("circumstance", circumstance),
                    ("levels", &levels.to_string()),
                    ("max", &max),
                ],
            ),
            Caution::ShapleyNotApart {
                indicator,
                circumstance,
                share,
            } => self.text(
                "caution_shapley",
                &[
                    ("indicator", indicator),
                    ("circumstance", circumstance),
                    ("share", &num.pct(*share, 0)),
                ],
            ),
        }
    }

    /// The cautions of the latest wave of a results view, in words (empty without waves).
    fn view_cautions(&self, value: &Value) -> Result<Value> {
        let latest = value["waves"]
            .as_array()
            .and_then(|w| w.last())
            .map(|w| w["indicators"].clone());
        let indicators: Vec<crate::results::lnob::IndicatorResult> = match latest {
            Some(v) if v.is_array() => typed(&v)?,
            _ => Vec::new(),
        };
        let texts = super::claims::cautions(&indicators)
            .iter()
            .map(|c| self.caution(c).map(Value::String))
            .collect::<Result<Vec<_>>>()?;
        Ok(Value::Array(texts))
    }

    /// "Bottom 40% (consumption before transfers)".
    pub fn bottom40(&self) -> Result<String> {
        self.text("bottom40_group", &[])
    }

    /// "Rural population".
    pub fn area_population(&self, area: &str) -> Result<String> {
        self.text("area_group", &[("area", area)])
    }

    /// "National poverty line", "$3.00 a day (2021 PPP)".
    pub fn poverty_line(&self, line: &PovertyLine) -> Result<String> {
        match line.usd_per_day {
            None => self.strings.fill("common.national_line", &[]),
            Some(usd) => self.strings.fill(
                "common.international_line",
                &[("usd", &self.strings.number.fixed(usd, 2))],
            ),
        }
    }

    pub fn no_tree(&self, reason: &NoTree) -> Result<String> {
        match reason {
            NoTree::ConstantRate { rate } => {
                self.text("no_tree_constant", &[("rate", &self.number(*rate))])
            }
        }
    }

    /// Why a region has no furthest-behind group.
    pub fn no_regional_group(&self, reason: &NoRegionalGroup) -> Result<String> {
        match reason {
            NoRegionalGroup::FewRecords { n, min } => self.text(
                "region_few_records",
                &[("n", &n.to_string()), ("min", &min.to_string())],
            ),
            NoRegionalGroup::ConstantRate { rate } => {
                self.text("no_tree_constant", &[("rate", &self.number(*rate))])
            }
            NoRegionalGroup::NoSplit => self.text("region_no_split", &[]),
        }
    }

    /// The results as the templates read them: every group, flag, tree edge and skipped-tree
    /// reason replaced by its text (the rest as in `results.json`).
    pub fn view(&self, results: &impl serde::Serialize) -> Result<Value> {
        let mut value =
            serde_json::to_value(results).map_err(|e| crate::error::Error::Template {
                template: "results".into(),
                message: e.to_string(),
            })?;
        let cautions = self.view_cautions(&value)?;
        super::claims::mark_findings(&mut value);
        let max_cv = value["uncertainty"]["max_cv"].as_f64().unwrap_or(0.3);
        super::claims::mark_regional_d(&mut value, max_cv);
        self.describe_groups(&mut value, None)?;
        self.sdg_refs(&mut value)?;
        if let Some(date) = value["brief"]["reference_date"].as_str() {
            let text = Value::String(self.date(date)?);
            value["brief"]["date_text"] = text;
        }
        if let Value::Object(map) = &mut value {
            map.insert("cautions".into(), cautions);
        }
        self.put_in_words(&mut value)?;
        Ok(value)
    }

    /// Gives every object holding a `group` a `description` in plain words, its noun from the
    /// `covers` of the indicator it lies in (leaves, furthest-behind and -ahead, regional groups),
    /// and every indicator its `covers_text`.
    fn describe_groups(&self, value: &mut Value, covers: Option<&Covers>) -> Result<()> {
        match value {
            Value::Array(items) => items
                .iter_mut()
                .try_for_each(|v| self.describe_groups(v, covers)),
            Value::Object(map) => {
                let own: Option<Covers> = match map.get("covers") {
                    Some(c) => Some(typed(c)?),
                    None => None,
                };
                if let Some(c) = &own {
                    map.insert("covers_text".into(), Value::String(self.covers(c)?));
                }
                let covers = own.as_ref().or(covers);
                let group = map
                    .get("group")
                    .filter(|g| g.as_object().is_some_and(is_group));
                if let (Some(c), Some(g)) = (covers, group) {
                    let text = self.describe(&typed(g)?, c)?;
                    map.insert("description".into(), Value::String(text));
                }
                map.values_mut()
                    .try_for_each(|v| self.describe_groups(v, covers))
            }
            _ => Ok(()),
        }
    }

    /// Gives every object with an `sdg` code its reference in words, `sdg_ref` ("SDG 4.1.2", or
    /// "related to SDG target 4.3" for a national proxy, whose code is its target's) and
    /// `sdg_cell` for a table's SDG column ("4.1.2", "target 4.3").
    fn sdg_refs(&self, value: &mut Value) -> Result<()> {
        match value {
            Value::Array(items) => items.iter_mut().try_for_each(|v| self.sdg_refs(v)),
            Value::Object(map) => {
                if let Some(code) = map.get("sdg").and_then(Value::as_str).map(str::to_string) {
                    let target = code.split('.').count() == 2;
                    let (r, c) = if target {
                        ("common.sdg_target", "common.sdg_target_cell")
                    } else {
                        ("common.sdg", "")
                    };
                    let args = [("code", code.as_str())];
                    let cell = if target {
                        self.strings.fill(c, &args)?
                    } else {
                        code.clone()
                    };
                    map.insert(
                        "sdg_ref".into(),
                        Value::String(self.strings.fill(r, &args)?),
                    );
                    map.insert("sdg_cell".into(), Value::String(cell));
                }
                map.values_mut().try_for_each(|v| self.sdg_refs(v))
            }
            _ => Ok(()),
        }
    }

    fn put_in_words(&self, value: &mut Value) -> Result<()> {
        match value {
            Value::Array(items) => items.iter_mut().try_for_each(|v| self.put_in_words(v)),
            Value::Object(map) => {
                for (key, v) in map.iter_mut() {
                    match (key.as_str(), &*v) {
                        ("flag", Value::Object(_)) => *v = Value::String(self.flag(&typed(v)?)?),
                        ("edge", Value::Object(_)) => {
                            *v = Value::String(self.condition(&typed(v)?)?)
                        }
                        ("edge", Value::Null) => *v = Value::String(String::new()),
                        ("skipped", Value::Object(_)) => {
                            *v = Value::String(self.no_tree(&typed(v)?)?)
                        }
                        ("no_group", Value::Object(_)) => {
                            *v = Value::String(self.no_regional_group(&typed(v)?)?)
                        }
                        (_, Value::Object(inner)) if is_group(inner) => {
                            *v = Value::String(self.group(&typed(v)?)?)
                        }
                        _ => self.put_in_words(v)?,
                    }
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

/// "Education of household head" → "education of household head"; "DHS region" stays.
fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(a), Some(b)) if a.is_uppercase() && !b.is_uppercase() => {
            a.to_lowercase().chain(text.chars().skip(1)).collect()
        }
        _ => text.to_string(),
    }
}

/// A serialised `Group`: an object whose one key is `conditions`.
fn is_group(map: &serde_json::Map<String, Value>) -> bool {
    map.len() == 1 && map.contains_key("conditions")
}

fn typed<T: serde::de::DeserializeOwned>(v: &Value) -> Result<T> {
    serde_json::from_value(v.clone()).map_err(|e| crate::error::Error::Template {
        template: "results".into(),
        message: format!("unexpected shape in the results: {e}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::present::render::builtin_strings;

    fn range(lower: Option<f64>, upper: Option<f64>, whole_numbers: bool) -> Allowed {
        Allowed::Range {
            lower,
            upper,
            whole_numbers,
        }
    }

    #[test]
    fn ranges_of_whole_numbers_read_as_whole_numbers() {
        let (en, id) = (
            builtin_strings("en").unwrap(),
            builtin_strings("id").unwrap(),
        );
        let (en, id) = (Words::new(&en), Words::new(&id));
        let said = |w: &Words, a: Allowed| w.allowed(&a).unwrap();
        // rpart's 26.5 between ages 26 and 27.
        assert_eq!(said(&en, range(Some(26.5), None, true)), "27 or more");
        assert_eq!(said(&en, range(None, Some(26.5), true)), "26 or less");
        assert_eq!(said(&en, range(Some(26.5), Some(40.5), true)), "27 to 40");
        assert_eq!(said(&en, range(Some(26.5), Some(27.5), true)), "27");
        assert_eq!(said(&id, range(None, Some(26.5), true)), "26 atau kurang");
        // A measured quantity keeps the split point.
        assert_eq!(said(&en, range(Some(26.5), None, false)), "26.5 or more");
        assert_eq!(said(&en, range(None, Some(26.5), false)), "under 26.5");
    }

    #[test]
    fn groups_read_in_plain_words() {
        let (en, id) = (
            builtin_strings("en").unwrap(),
            builtin_strings("id").unwrap(),
        );
        let (en, id) = (Words::new(&en), Words::new(&id));
        let cond = |label: &str, allowed: Allowed| Condition {
            circumstance: label.to_lowercase(),
            label: label.into(),
            allowed,
        };
        let levels = |l: &[&str]| Allowed::Levels(l.iter().map(|s| s.to_string()).collect());
        let g = Group {
            conditions: vec![
                cond("Residence", levels(&["Rural"])),
                cond("Education of household head", levels(&["None", "Primary"])),
                cond("Age", range(Some(26.5), None, true)),
            ],
        };
        let households = Covers::of_unit(crate::spec::EstimateUnit::Households);
        let people = Covers::of_unit(crate::spec::EstimateUnit::Persons);
        assert_eq!(
            en.describe(&g, &households).unwrap(),
            "households whose residence is Rural, education of household head is None or Primary and age is 27 or more"
        );
        assert_eq!(
            id.describe(&g, &people).unwrap(),
            "penduduk dengan residence Rural, education of household head None atau Primary dan age 27 atau lebih"
        );
        let everyone = Group { conditions: vec![] };
        assert_eq!(en.describe(&everyone, &people).unwrap(), "all people");
        assert_eq!(lower_first("DHS region"), "DHS region");
    }
}
