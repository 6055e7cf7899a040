//! The RAP projection's population: a table by age band (both sexes summed) for every
//! projection year, and the survey's persons in each band, from which each scheme's take-up
//! (recipients per person of the band in the survey, held constant) is applied to the
//! projected population (docs/methods.md, "SPOT: RAP-grade projection").

use std::collections::BTreeMap;

use super::population::Population;
use super::projection::{year_of_age, SchemeBase, AGES};
use crate::results::spot_rap::PopulationSource;
use crate::spec::{PopulationRow, PopulationSex, Projection};

/// A population table checked against the projection's years.
struct BandTable {
    /// First and last age of each band, in age order; the last band also holds older ages.
    bands: Vec<(u32, u32)>,
    /// Persons per projection year (0 = base year) and band.
    counts: Vec<Vec<f64>>,
    /// Weighted persons of the survey in each band.
    survey_persons: Vec<f64>,
}

/// What the projection needs besides the schemes: the population table, when the spec has one.
pub(super) struct Prepared {
    table: Option<BandTable>,
    csv: Option<String>,
}

impl Prepared {
    /// No table: the three age groups at constant growth.
    pub(super) fn growth() -> Prepared {
        Prepared {
            table: None,
            csv: None,
        }
    }

    /// The spec's table (`rows`, from the spec or its CSV file `csv`) for the projection from
    /// `base_year`, with the survey's persons by band.
    pub(super) fn new(
        rows: &[PopulationRow],
        csv: Option<String>,
        p: &Projection,
        base_year: i32,
        (person_weight, age): (&[f64], Option<&[f64]>),
    ) -> std::result::Result<Prepared, String> {
        if rows.is_empty() {
            return Ok(Prepared::growth());
        }
        let (bands, counts) = band_table(rows, base_year, p.horizon)?;
        let mut by_age = vec![0.0; AGES];
        for (i, &w) in person_weight.iter().enumerate() {
            // As the schemes count recipients: no age column means age 30.
            by_age[year_of_age(age.map_or(30.0, |a| a[i]))] += w;
        }
        let survey_persons = band_sums(&bands, &by_age);
        Ok(Prepared {
            table: Some(BandTable {
                bands,
                counts,
                survey_persons,
            }),
            csv,
        })
    }

    /// Recipients of scheme `s` in projection year `t` at full phase-in: Σ_b P_{b,t} × R_b / N_b
    /// (R_b its survey recipients, N_b the survey's persons in band b). None without a table.
    pub(super) fn recipients(&self, s: &SchemeBase, t: usize) -> Option<f64> {
        let table = self.table.as_ref()?;
        let rec = band_sums(&table.bands, &s.by_year_of_age);
        Some(
            (0..table.bands.len())
                .filter(|&b| table.survey_persons[b] > 0.0)
                .map(|b| table.counts[t][b] * rec[b] / table.survey_persons[b])
                .sum(),
        )
    }

    pub(super) fn source(&self) -> PopulationSource {
        match &self.table {
            None => PopulationSource::Growth,
            Some(t) => PopulationSource::Table {
                path: self.csv.clone(),
                bands: t.bands.clone(),
            },
        }
    }
}

/// Sums of a by-single-year array over each band (the last band open above).
fn band_sums(bands: &[(u32, u32)], by_age: &[f64]) -> Vec<f64> {
    let last = bands.len() - 1;
    bands
        .iter()
        .enumerate()
        .map(|(b, &(lo, hi))| {
            let hi = if b == last { AGES - 1 } else { hi as usize };
            by_age[lo as usize..=hi].iter().sum()
        })
        .collect()
}

/// An age band, first and last year of age.
type Band = (u32, u32);
/// The bands, and persons per projection year and band.
type BandsAndCounts = (Vec<Band>, Vec<Vec<f64>>);

/// The table's bands and its persons per projection year and band, sexes summed. The bands must
/// be the same every year, start at age 0 and follow each other without gap or overlap; every
/// year from the base year to the horizon must be there; a (year, band) has either one row for
/// both sexes or at most one row per sex.
fn band_table(
    rows: &[PopulationRow],
    base_year: i32,
    horizon: u32,
) -> std::result::Result<BandsAndCounts, String> {
    // (year, band) → (count, sexes seen)
    let mut cells: BTreeMap<(i32, Band), (f64, Vec<PopulationSex>)> = BTreeMap::new();
    for r in rows {
        let cell = cells
            .entry((r.year, (r.age_from, r.age_to)))
            .or_insert((0.0, Vec::new()));
        let clash = cell.1.contains(&r.sex)
            || (r.sex == PopulationSex::All && !cell.1.is_empty())
            || cell.1.contains(&PopulationSex::All);
        if clash {
            return Err(format!(
                "year {}, ages {}-{}: expected one row for both sexes (sex = \"all\") or one row per sex, found a second row",
                r.year, r.age_from, r.age_to
            ));
        }
        cell.0 += r.count;
        cell.1.push(r.sex);
    }
    let bands_of = |year: i32| -> Vec<(u32, u32)> {
        cells
            .keys()
            .filter(|(y, _)| *y == year)
            .map(|(_, b)| *b)
            .collect()
    };
    let bands = bands_of(base_year);
    check_bands(&bands, base_year)?;
    let mut counts = Vec::new();
    for t in 0..=horizon as i32 {
        let year = base_year + t;
        if bands_of(year) != bands {
            return Err(format!(
                "year {year}: expected the same age bands as the base year {base_year} ({}), found {}",
                describe(&bands),
                describe(&bands_of(year))
            ));
        }
        counts.push(bands.iter().map(|b| cells[&(year, *b)].0).collect());
    }
    Ok((bands, counts))
}

fn check_bands(bands: &[(u32, u32)], base_year: i32) -> std::result::Result<(), String> {
    if bands.is_empty() {
        return Err(format!(
            "year {base_year}: expected rows for the survey's year (the projection's base year), found none"
        ));
    }
    let mut next = 0;
    for &(lo, hi) in bands {
        if lo != next {
            return Err(format!(
                "year {base_year}: expected age bands from 0 without gaps or overlaps, found {}",
                describe(bands)
            ));
        }
        next = hi + 1;
    }
    Ok(())
}

fn describe(bands: &[(u32, u32)]) -> String {
    if bands.is_empty() {
        return "none".into();
    }
    bands
        .iter()
        .map(|(a, b)| format!("{a}-{b}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The projection's population for a wave: the spec's table (rows or the CSV's, read by the
/// pipeline into `projection.population`) checked against the wave's year.
pub(super) fn prepare(
    spec: &crate::spec::Spec,
    survey: &crate::survey::Survey,
    pop: &Population,
) -> crate::error::Result<Prepared> {
    let p = &spec.projection;
    let csv = p.population_csv.as_ref().map(|c| c.display().to_string());
    let field = match &csv {
        Some(path) => format!("projection.population_csv ({path})"),
        None => "projection.population".to_string(),
    };
    let persons = (pop.person_weight.as_slice(), pop.age.as_deref());
    Prepared::new(&p.population, csv, p, survey.wave.year, persons)
        .map_err(|m| crate::error::Error::data(survey.context(), format!("{field}: {m}")))
}

/// The spec's fiscal-space options, as the results name them.
pub(super) fn financing_options(
    spec: &crate::spec::Spec,
) -> Vec<crate::results::spot_rap::FinancingOptionResult> {
    spec.projection
        .financing
        .iter()
        .map(|f| crate::results::spot_rap::FinancingOptionResult {
            id: f.id.clone(),
            label: f.label.clone(),
            pct_gdp: f.pct_gdp,
            growth_pp: f.growth_pp,
        })
        .collect()
}

/// The spec the simulation reads: the spec itself, or with `projection.population` read from
/// its population CSV (checksum verified as for a survey file), and the CSV's input record.
pub fn with_population_csv(
    spec: &crate::spec::LoadedSpec,
) -> crate::error::Result<(crate::spec::Spec, Option<crate::results::InputRecord>)> {
    let mut out = spec.spec.clone();
    let Some(source) = spec.spec.projection.population_source() else {
        return Ok((out, None));
    };
    let lock = crate::io::inputs::read_lock(spec)?;
    let input = crate::io::inputs::load_file(spec, lock.as_ref(), "projection", &source)?;
    out.projection.population = population_rows(&spec.resolve(&source.path), &input.frame)?;
    let record = crate::results::InputRecord {
        wave: "projection".into(),
        role: Some("population".into()),
        path: input.spec_path.display().to_string(),
        sha256: input.sha256,
        bytes: input.bytes,
    };
    Ok((out, Some(record)))
}

/// The rows of a population CSV: columns year, age_from, age_to, sex (female, male or all)
/// and count; a missing column or a bad value is an error naming the file, the column and the
/// data row.
pub fn population_rows(
    path: &std::path::Path,
    frame: &polars::prelude::DataFrame,
) -> crate::error::Result<Vec<PopulationRow>> {
    use polars::prelude::DataType;
    const COLUMNS: &str = "year, age_from, age_to, sex, count";
    let fail = |col: &str, what: String| {
        crate::error::Error::input(path, format!("population table, column `{col}`: {what}"))
    };
    let column = |name: &str, dtype: &DataType| {
        frame
            .column(name)
            .map_err(|_| fail(name, format!("missing; expected the columns {COLUMNS}")))?
            .cast(dtype)
            .map_err(|e| fail(name, format!("cannot read it as {dtype}: {e}")))
    };
    let numbers = |name: &str| -> crate::error::Result<Vec<f64>> {
        let c = column(name, &DataType::Float64)?;
        let v = c.f64().expect("f64");
        v.iter()
            .enumerate()
            .map(|(i, x)| match x {
                Some(x) if x.is_finite() => Ok(x),
                _ => Err(fail(name, format!("data row {}: expected a number", i + 1))),
            })
            .collect()
    };
    let (year, from, to, count) = (
        numbers("year")?,
        numbers("age_from")?,
        numbers("age_to")?,
        numbers("count")?,
    );
    let sex = column("sex", &DataType::String)?;
    let whole = |name: &str, i: usize, x: f64| {
        if x.fract() == 0.0 && (0.0..=1e4).contains(&x) {
            Ok(x)
        } else {
            Err(fail(
                name,
                format!("data row {}: expected a whole number, found {x}", i + 1),
            ))
        }
    };
    let mut rows = Vec::with_capacity(frame.height());
    for (i, s) in sex.str().expect("string").iter().enumerate() {
        let sex = match s.map(str::to_ascii_lowercase).as_deref() {
            Some("female") => PopulationSex::Female,
            Some("male") => PopulationSex::Male,
            Some("all") => PopulationSex::All,
            other => {
                return Err(fail(
                    "sex",
                    format!(
                        "data row {}: expected female, male or all, found {other:?}",
                        i + 1
                    ),
                ))
            }
        };
        let row = PopulationRow {
            year: whole("year", i, year[i])? as i32,
            age_from: whole("age_from", i, from[i])? as u32,
            age_to: whole("age_to", i, to[i])? as u32,
            sex,
            count: count[i],
        };
        crate::spec::check_row(&row).map_err(|m| {
            crate::error::Error::input(path, format!("population table, data row {}: {m}", i + 1))
        })?;
        rows.push(row);
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::super::projection::{project, SchemeBase};
    use super::*;
    use crate::spec::{FinancingOption, Indexation};

    fn row(year: i32, age_from: u32, age_to: u32, count: f64) -> PopulationRow {
        PopulationRow {
            year,
            age_from,
            age_to,
            sex: PopulationSex::All,
            count,
        }
    }

    /// The ILO RAP arithmetic by hand: 3 years (2024-2026), 2 bands (0-64, 65+).
    ///
    /// Survey: 1,000 persons aged 10 and 200 aged 70 (weights). Pension: 150 recipients aged 70,
    /// so take-up 150/200 = 0.75 of the 65+; 100 a month, admin 5%, phase-in 50% then 100%,
    /// indexed to wages (4%). Child grant: 500 recipients aged 10, take-up 500/1,000 = 0.5 of
    /// the 0-64; 50 a month, no admin, not indexed. Inflation 2%, real growth 3%, GDP 1e9.
    /// Table: 0-64 = 50,000 / 49,000 / 48,000; 65+ = 10,000 / 10,500 / 11,000.
    ///
    /// Pension: 2024: 10,000 × 0.75 × 0.5 = 3,750 × 100 × 12 × 1.05 = 4,725,000
    ///          2025: 10,500 × 0.75 × 1 = 7,875 × 104 × 12 × 1.05 = 10,319,400
    ///          2026: 11,000 × 0.75 = 8,250 × 108.16 × 12 × 1.05 = 11,243,232
    ///          real value 2026: 108.16 / 1.02² = 103.960015378700…
    /// Child:   25,000 / 24,500 / 24,000 × 50 × 12 = 15,000,000 / 14,700,000 / 14,400,000.
    /// GDP 2026 = 1e9 × (1.03 × 1.02)² = 1,103,760,360; total 2026 = 25,643,232,
    /// i.e. 2.323265…% of GDP; with expenditure 20% of GDP, 11.61632…% of expenditure.
    /// Financing "tax": 1% of GDP + 0.5 points a year: 2026 space 2% of GDP = 22,075,207.2,
    /// gap = 22,075,207.2 − 25,643,232 = −3,568,024.8.
    #[test]
    fn hand_computed_rap_example() {
        let p = Projection {
            horizon: 2,
            real_gdp_growth: 0.03,
            inflation: 0.02,
            wage_growth: Some(0.04),
            government_expenditure_share_gdp: Some(20.0),
            financing: vec![FinancingOption {
                id: "tax".into(),
                label: "Tax".into(),
                pct_gdp: 1.0,
                growth_pp: 0.5,
            }],
            ..Projection::default()
        };
        let rows = vec![
            row(2024, 0, 64, 50_000.0),
            row(2024, 65, 120, 10_000.0),
            row(2025, 0, 64, 49_000.0),
            row(2025, 65, 120, 10_500.0),
            row(2026, 0, 64, 48_000.0),
            row(2026, 65, 120, 11_000.0),
        ];
        let weights = [1000.0, 200.0];
        let ages = [10.0, 70.0];
        let prepared = Prepared::new(&rows, None, &p, 2024, (&weights, Some(&ages))).unwrap();
        let mut pension = SchemeBase::new(100.0, 0.05);
        pension.count(70.0, 150.0);
        pension.indexation = Indexation::Wages;
        pension.phase_in = vec![0.5, 1.0];
        let mut child = SchemeBase::new(50.0, 0.0);
        child.count(10.0, 500.0);
        child.indexation = Indexation::None;
        let out = project(&[pension, child], 1e9, 2024, &p, &prepared);
        let close =
            |a: f64, b: f64| assert!((a - b).abs() <= 1e-12 * b.abs().max(1.0), "{a} vs {b}");
        let pension: Vec<f64> = out.schemes[..3].iter().map(|y| y.cost_lcu).collect();
        for (a, b) in pension
            .iter()
            .zip([4_725_000.0, 10_319_400.0, 11_243_232.0])
        {
            close(*a, b);
        }
        close(out.schemes[0].beneficiaries, 3_750.0);
        close(out.schemes[2].benefit_monthly_lcu, 108.16);
        close(
            out.schemes[2].benefit_monthly_real_lcu,
            108.16 / (1.02 * 1.02),
        );
        let child: Vec<f64> = out.schemes[3..].iter().map(|y| y.cost_lcu).collect();
        for (a, b) in child.iter().zip([15_000_000.0, 14_700_000.0, 14_400_000.0]) {
            close(*a, b);
        }
        close(
            out.schemes[5].benefit_monthly_real_lcu,
            50.0 / (1.02 * 1.02),
        );
        let last = &out.totals[2];
        close(last.gdp_lcu, 1_103_760_360.0);
        close(last.cost_lcu, 25_643_232.0);
        close(last.cost_pct_gdp, 100.0 * 25_643_232.0 / 1_103_760_360.0);
        close(
            last.cost_pct_expenditure.unwrap(),
            100.0 * 25_643_232.0 / (0.2 * 1_103_760_360.0),
        );
        let f = &out.financing[2];
        close(f.space_pct_gdp, 2.0);
        close(f.space_lcu, 22_075_207.2);
        close(f.gap_lcu, 22_075_207.2 - 25_643_232.0);
    }

    #[test]
    fn a_table_must_cover_every_year_with_the_same_bands() {
        let p = Projection {
            horizon: 1,
            ..Projection::default()
        };
        let persons = (&[1.0][..], None);
        let gap = [row(2024, 0, 10, 1.0), row(2024, 12, 120, 1.0)];
        let e = Prepared::new(&gap, None, &p, 2024, persons).err().unwrap();
        assert!(e.contains("without gaps or overlaps"), "{e}");
        let short = [row(2024, 0, 120, 1.0)];
        let e = Prepared::new(&short, None, &p, 2024, persons)
            .err()
            .unwrap();
        assert!(e.contains("year 2025"), "{e}");
        let twice = [row(2024, 0, 120, 1.0), row(2024, 0, 120, 1.0)];
        let e = Prepared::new(&twice, None, &p, 2024, persons)
            .err()
            .unwrap();
        assert!(e.contains("second row"), "{e}");
    }
}
