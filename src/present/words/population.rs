//! Whom an indicator covers and the document date, in the brief's language.

use super::Words;
use crate::error::Result;
use crate::spec::{Covers, Qualifier, Who};

impl Words<'_> {
    /// A YYYY-MM-DD date in words: "30 June 2026", "30 Juni 2026" (no leading zero on the day).
    pub fn date(&self, iso: &str) -> Result<String> {
        let parts: Vec<&str> = iso.split('-').collect();
        let bad = || crate::error::Error::Template {
            template: "results".into(),
            message: format!("brief.reference_date: expected YYYY-MM-DD, found \"{iso}\""),
        };
        let [year, month, day] = parts[..] else {
            return Err(bad());
        };
        let day: u32 = day.parse().map_err(|_| bad())?;
        let month = self.strings.fill(&format!("dates.month_{month}"), &[])?;
        self.strings.fill(
            "dates.date",
            &[("day", &day.to_string()), ("month", &month), ("year", year)],
        )
    }

    /// Whom an indicator covers, in words: "households", "children under 5", "women aged 15–49
    /// with a demand for family planning".
    pub fn covers(&self, c: &Covers) -> Result<String> {
        let who = match c.who {
            Who::Households => "who_households",
            Who::People => "who_people",
            Who::Women => "who_women",
            Who::Men => "who_men",
            Who::Children => "who_children",
        };
        let who = self.text(who, &[])?;
        let (min, max) = (c.min_age.map(|a| a.to_string()), c.max_age);
        let aged = match (min, max) {
            (Some(min), Some(max)) => self.text(
                "ages_between",
                &[("who", &who), ("min", &min), ("max", &max.to_string())],
            )?,
            (Some(min), None) => self.text("ages_from", &[("who", &who), ("min", &min)])?,
            (None, Some(max)) => self.text(
                "ages_under",
                &[("who", &who), ("under", &(max + 1).to_string())],
            )?,
            (None, None) => who,
        };
        match c.with {
            Some(Qualifier::DemandForFamilyPlanning) => {
                self.text("with_demand_for_family_planning", &[("who", &aged)])
            }
            Some(Qualifier::RecentLiveBirth) => {
                self.text("with_recent_live_birth", &[("who", &aged)])
            }
            None => Ok(aged),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::present::render::builtin_strings;
    use crate::results::lnob::Group;

    #[test]
    fn dates_in_words() {
        let (en_s, id_s) = (
            builtin_strings("en").unwrap(),
            builtin_strings("id").unwrap(),
        );
        let (en, id) = (Words::new(&en_s), Words::new(&id_s));
        assert_eq!(en.date("2026-06-30").unwrap(), "30 June 2026");
        assert_eq!(id.date("2026-06-30").unwrap(), "30 Juni 2026");
        assert_eq!(id.date("2027-01-05").unwrap(), "5 Januari 2027");
        assert!(en.date("2026-13-01").is_err());
    }

    /// Whom an indicator covers, in both languages: ages, the "under" form of children's ages
    /// (max_age 4 is "under 5") and the women's qualifiers.
    #[test]
    fn covers_in_words() {
        let (en_s, id_s) = (
            builtin_strings("en").unwrap(),
            builtin_strings("id").unwrap(),
        );
        let (en, id) = (Words::new(&en_s), Words::new(&id_s));
        let c = |who, min_age, max_age, with| Covers {
            who,
            min_age,
            max_age,
            with,
        };
        let under5 = c(Who::Children, None, Some(4), None);
        assert_eq!(en.covers(&under5).unwrap(), "children under 5");
        assert_eq!(id.covers(&under5).unwrap(), "anak berumur di bawah 5 tahun");
        let young = c(Who::People, Some(20), Some(35), None);
        assert_eq!(en.covers(&young).unwrap(), "people aged 20–35");
        assert_eq!(id.covers(&young).unwrap(), "penduduk berumur 20–35 tahun");
        let adults = c(Who::People, Some(15), None, None);
        assert_eq!(en.covers(&adults).unwrap(), "people aged 15 and over");
        let fp = c(
            Who::Women,
            Some(15),
            Some(49),
            Some(Qualifier::DemandForFamilyPlanning),
        );
        assert_eq!(
            en.covers(&fp).unwrap(),
            "women aged 15–49 with a demand for family planning"
        );
        assert_eq!(
            id.covers(&fp).unwrap(),
            "perempuan berumur 15–49 tahun dengan kebutuhan ber-KB"
        );
        assert_eq!(
            en.describe(&Group { conditions: vec![] }, &under5).unwrap(),
            "all children under 5"
        );
    }
}
