//! What an indicator with its own rows and weight reads from a survey: the main rows that found a
//! record of a linked file (the women of a women's file), and the weight column it names. Both
//! feed the same cell tables, design and variance as every other indicator.

use polars::prelude::Float64Chunked;

use super::{link, Survey, WEIGHT_RANGE};
use crate::error::{Error, Result};

impl Survey {
    /// Per main row: did it find a record of the linked file with this role?
    pub fn linked_rows(&self, role: &str) -> std::result::Result<Vec<bool>, String> {
        let marker = link::marker(role);
        let Ok(c) = self.frame.column(&marker) else {
            let roles: Vec<&str> = self.wave.files.iter().map(|f| f.role.as_str()).collect();
            return Err(format!(
                "wave '{}' links no file with role \"{role}\" (its linked files: {roles:?})",
                self.wave.id
            ));
        };
        let found = c
            .bool()
            .map_err(|e| format!("`{marker}`: {e}"))?
            .iter()
            .map(|v| v == Some(true))
            .collect();
        Ok(found)
    }

    /// The indicator's own weights: every row of its population needs one within `WEIGHT_RANGE`
    /// (a women's weight is missing on men's rows, which are outside the population).
    pub fn own_weights(
        &self,
        field: &str,
        column: &str,
        in_population: &[bool],
    ) -> Result<Float64Chunked> {
        let weights = self.f64_column(column)?;
        let ok =
            |w: Option<f64>| matches!(w, Some(w) if (WEIGHT_RANGE.0..=WEIGHT_RANGE.1).contains(&w));
        let bad: Vec<usize> = in_population
            .iter()
            .zip(weights.iter())
            .enumerate()
            .filter(|(_, (&inside, w))| inside && !ok(*w))
            .map(|(i, _)| i)
            .collect();
        if let Some(&row) = bad.first() {
            let value = weights
                .get(row)
                .map_or("missing".to_string(), |v| v.to_string());
            return Err(Error::data(
                self.context(),
                format!(
                    "{field}: column `{column}` must hold a weight between {:e} and {:e} on every \
                     row of the indicator's population; {} row(s) do not (first: data row {}, \
                     value {value})",
                    WEIGHT_RANGE.0,
                    WEIGHT_RANGE.1,
                    bad.len(),
                    row + 1
                ),
            ));
        }
        Ok(weights)
    }
}
