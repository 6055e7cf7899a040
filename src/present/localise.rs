//! The results as a brief in one language names them: `brief.labels.<language>` replaces the
//! labels the spec gave (in its own language) and the raw data values of regions and areas,
//! before tables, charts and text are made. `results.json` keeps the spec's labels; this is a
//! view of it, so a run and `render --language` print the same names.
//!
//! The brief's title, country and source line are replaced as given. The rules for the rest, by
//! where a name sits in the results:
//! - an object with a `circumstance`: its `label` (the circumstance's), the levels its `allowed`
//!   lists, the `label` of each level rate in its `groups` and the indicators it lists;
//! - an indicator (an object with `id` and `sdg`) or an object naming one in `indicator`;
//! - a scenario (an object with `id` and `schemes`) or an object naming one in `scenario`;
//! - every `region` and `area` value;
//! - a poverty breakdown's circumstance (its label and level) or region.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::results::Results;
use crate::spec::Vocabulary;

/// The results with the names of `language` (unchanged when the spec gives none for it).
pub fn localise(results: &Results, language: &str) -> Result<Results> {
    let Some(v) = results.brief.labels.get(language) else {
        return Ok(results.clone());
    };
    let bad = |e: serde_json::Error| Error::Template {
        template: format!("brief.labels.{language}"),
        message: e.to_string(),
    };
    let mut value = serde_json::to_value(results).map_err(bad)?;
    let codes = level_codes(&value);
    let indicators = indicator_ids(&value);
    let renamer = Renamer {
        v,
        codes: &codes,
        indicators: &indicators,
    };
    // The brief section holds the labels themselves: not renamed.
    if let Value::Object(map) = &mut value {
        map.iter_mut()
            .filter(|(k, _)| k.as_str() != "brief")
            .for_each(|(_, v)| renamer.walk(v));
    }
    let mut localised: Results = serde_json::from_value(value).map_err(bad)?;
    let brief = &mut localised.brief;
    for (text, new) in [
        (&mut brief.title, &v.title),
        (&mut brief.country, &v.country),
        (&mut brief.source, &v.source),
    ] {
        if let Some(new) = new {
            text.clone_from(new);
        }
    }
    Ok(localised)
}

/// Circumstance id → (level label as the results hold it → level code), from the level rates of
/// every indicator, so the levels a group allows (held as labels) find their code.
fn level_codes(results: &Value) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut codes: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let waves = results["waves"].as_array().into_iter().flatten();
    let indicators = waves.flat_map(|w| w["indicators"].as_array().into_iter().flatten());
    for rates in indicators.flat_map(|i| i["by_circumstance"].as_array().into_iter().flatten()) {
        let Some(c) = rates["circumstance"].as_str() else {
            continue;
        };
        for g in rates["groups"].as_array().into_iter().flatten() {
            if let (Some(label), Some(level)) = (g["label"].as_str(), g["level"].as_str()) {
                let entry = codes.entry(c.to_string()).or_default();
                entry.insert(label.to_string(), level.to_string());
            }
        }
    }
    codes
}

/// Indicator label as the results hold it → indicator id, for lists of indicators by label.
fn indicator_ids(results: &Value) -> BTreeMap<String, String> {
    let waves = results["waves"].as_array().into_iter().flatten();
    let indicators = waves.flat_map(|w| w["indicators"].as_array().into_iter().flatten());
    indicators
        .filter_map(|i| Some((i["label"].as_str()?.into(), i["id"].as_str()?.into())))
        .collect()
}

struct Renamer<'a> {
    v: &'a Vocabulary,
    codes: &'a BTreeMap<String, BTreeMap<String, String>>,
    indicators: &'a BTreeMap<String, String>,
}

impl Renamer<'_> {
    fn walk(&self, value: &mut Value) {
        match value {
            Value::Array(items) => items.iter_mut().for_each(|v| self.walk(v)),
            Value::Object(map) => {
                self.rename(map);
                map.values_mut().for_each(|v| self.walk(v));
            }
            _ => {}
        }
    }

    fn rename(&self, map: &mut Map<String, Value>) {
        let text = |key: &str| map.get(key).and_then(Value::as_str).map(str::to_string);
        let (circumstance, id, indicator) = (text("circumstance"), text("id"), text("indicator"));
        let (scenario, region, area) = (text("scenario"), text("region"), text("area"));
        let (sdg, schemes) = (map.contains_key("sdg"), map.contains_key("schemes"));
        if let Some(c) = circumstance {
            set(map, "label", self.v.circumstances.get(&c));
            self.rename_levels(map, &c);
            // A circumstance's recurring role lists the indicators by label.
            let listed = map.get_mut("indicators").and_then(Value::as_array_mut);
            for label in listed.into_iter().flatten() {
                let id = label.as_str().and_then(|l| self.indicators.get(l));
                if let Some(new) = id.and_then(|id| self.v.indicators.get(id)) {
                    *label = Value::String(new.clone());
                }
            }
        } else if let (Some(id), true) = (&id, sdg) {
            set(map, "label", self.v.indicators.get(id));
        } else if let (Some(id), true) = (&id, schemes) {
            set(map, "label", self.v.scenarios.get(id));
        } else if let Some(s) = scenario {
            set(map, "label", self.v.scenarios.get(&s));
        } else if let (Some(id), Some(_)) = (&id, &indicator) {
            // A scheme's reach to an indicator's group holds the indicator's label.
            set(map, "indicator", self.v.indicators.get(id));
        } else if let Some(i) = indicator {
            set(map, "label", self.v.indicators.get(&i));
        }
        if let Some(r) = region {
            set(map, "region", self.v.regions.get(&r));
        }
        self.rename_breakdown(map);
        if let Some(a) = area {
            set(map, "area", self.v.areas.get(&a));
        }
    }

    /// A poverty breakdown row names its group by a dimension (a circumstance, a region, ...)
    /// and a level value: a circumstance's label and level, or a region, as named here.
    fn rename_breakdown(&self, map: &mut Map<String, Value>) {
        let dimension = map.get("dimension").and_then(|d| d.as_object());
        let kind = dimension
            .and_then(|d| d.get("kind")?.as_str())
            .map(str::to_string);
        let id = dimension
            .and_then(|d| d.get("id")?.as_str())
            .map(str::to_string);
        let value = map
            .get("level")
            .and_then(|l| l.get("value")?.as_str())
            .map(str::to_string);
        let (Some(kind), Some(value)) = (kind, value) else {
            return;
        };
        let new = match (kind.as_str(), &id) {
            ("circumstance", Some(c)) => {
                if let Some(Value::Object(d)) = map.get_mut("dimension") {
                    set(d, "label", self.v.circumstances.get(c));
                }
                let code = self
                    .codes
                    .get(c)
                    .and_then(|m| m.get(&value))
                    .unwrap_or(&value);
                self.v.levels.get(c).and_then(|l| l.get(code))
            }
            ("region", _) => self.v.regions.get(&value),
            _ => None,
        };
        if let Some(Value::Object(level)) = map.get_mut("level") {
            set(level, "value", new);
        }
    }

    /// The levels of circumstance `c` an object holds: those a condition allows, and the level
    /// rates of a circumstance's table.
    fn rename_levels(&self, map: &mut Map<String, Value>, c: &str) {
        let Some(labels) = self.v.levels.get(c) else {
            return;
        };
        let codes = self.codes.get(c);
        let levels = map
            .get_mut("allowed")
            .and_then(|a| a.get_mut("levels"))
            .and_then(Value::as_array_mut);
        for level in levels.into_iter().flatten() {
            let code = level
                .as_str()
                .map(|l| codes.and_then(|m| m.get(l)).map_or(l, String::as_str));
            if let Some(new) = code.and_then(|code| labels.get(code)) {
                *level = Value::String(new.clone());
            }
        }
        let groups = map.get_mut("groups").and_then(Value::as_array_mut);
        for g in groups.into_iter().flatten() {
            let code = g["level"].as_str().map(str::to_string);
            if let (Some(new), Some(g)) = (code.and_then(|c| labels.get(&c)), g.as_object_mut()) {
                g.insert("label".into(), Value::String(new.clone()));
            }
        }
    }
}

/// Replace the text `map[key]` by `new` when both exist.
fn set(map: &mut Map<String, Value>, key: &str, new: Option<&String>) {
    if let (Some(new), Some(Value::String(old))) = (new, map.get_mut(key)) {
        *old = new.clone();
    }
}
