//! The survey: one wave's microdata plus its design (weight, strata, PSU, household, welfare), with
//! the spec's derived variables added. Every estimator takes a `Survey`, as R's `survey` functions
//! take a design object.

mod design;
mod households;
pub mod link;
mod rows;

use crate::estimate::variance::Design;

use polars::prelude::*;

use crate::error::{Error, Result};
use crate::io::inputs::Input;
use crate::spec::{DerivedValue, EstimateUnit, RowUnit, Spec, Wave};

/// Internal column names (prefixed so they cannot clash with survey columns).
pub const HH_WEIGHT: &str = "__hh_weight";
/// Survey weights accepted: a record stands for between a millionth of a person and ten billion
/// people. Outside this, sums of weights lose the precision every estimate needs (or overflow).
pub const WEIGHT_RANGE: (f64, f64) = (1e-6, 1e10);
/// Largest household size accepted.
pub const MAX_HOUSEHOLD_SIZE: f64 = 1000.0;
/// Largest welfare value (local currency) accepted; costs and shares computed from it stay finite.
pub const MAX_WELFARE: f64 = 1e18;
pub const PERSON_WEIGHT: &str = "__person_weight";
pub const WELFARE: &str = "__welfare";
pub const HH_SIZE: &str = "__hh_size";

/// One file of a wave, as hashed: its role ("main" or the linked file's), path as the spec
/// writes it, SHA-256 and size.
#[derive(Debug, Clone, PartialEq)]
pub struct SurveyFile {
    pub role: String,
    pub path: std::path::PathBuf,
    pub sha256: String,
    pub bytes: u64,
}

impl SurveyFile {
    fn of(role: &str, input: &Input) -> SurveyFile {
        SurveyFile {
            role: role.to_string(),
            path: input.spec_path.clone(),
            sha256: input.sha256.clone(),
            bytes: input.bytes,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Survey {
    pub wave: Wave,
    /// Microdata with derived variables and the internal design columns above.
    pub frame: DataFrame,
    /// The wave's files as read: the main file first, then the linked files in spec order.
    pub files: Vec<SurveyFile>,
    /// What joining each linked file did (empty for a wave of one file).
    pub links: Vec<link::LinkCounts>,
    /// The design (strata, PSUs), built once and taken by every estimator of the wave. Its
    /// bootstrap replicates are drawn from it by each analysis, with the analysis's count and
    /// seed (the same seed gives the same replicates).
    pub design: Design,
}

impl Survey {
    /// Context string for error messages: the wave and its file.
    pub fn context(&self) -> String {
        format!("wave '{}' ({})", self.wave.id, self.wave.path.display())
    }

    /// Column holding the weight for estimates in `unit`.
    pub fn weight_column(&self, unit: EstimateUnit) -> &'static str {
        match unit {
            EstimateUnit::Households => HH_WEIGHT,
            EstimateUnit::Persons => PERSON_WEIGHT,
        }
    }

    pub fn records(&self) -> usize {
        self.frame.height()
    }

    /// Check that every column an expression reads exists, naming the spec field if not.
    pub fn check_expr(&self, field: &str, expr: &Expr) -> Result<()> {
        check_columns(&self.context(), field, expr, self.frame.schema())
    }

    /// Evaluate an expression over all rows, as f64 (booleans become 0/1; nulls stay null).
    pub fn eval_f64(&self, field: &str, expr: Expr) -> Result<Float64Chunked> {
        self.check_expr(field, &expr)?;
        // A constant (`TRUE`, `1`) reads no column: it holds for every row.
        let constant = expr.clone().meta().root_names().is_empty();
        let out = crate::error::contain_panic(|| {
            self.frame
                .clone()
                .lazy()
                .select([expr.cast(DataType::Float64).alias("__v")])
                .collect()
        })
        .map_err(|m| Error::data(self.context(), internal(field, &m)))?
        .map_err(|e| Error::data(self.context(), format!("{field}: {e}")))?;
        let col = out
            .column("__v")
            .map_err(|e| Error::data(self.context(), e.to_string()))?;
        if constant && col.len() == 1 {
            let value = col.f64().expect("cast to f64").get(0);
            return Ok(Float64Chunked::from_iter_options(
                PlSmallStr::from("__v"),
                std::iter::repeat_n(value, self.frame.height()),
            ));
        }
        if col.len() != self.frame.height() {
            return Err(Error::data(
                self.context(),
                format!(
                    "{field}: the expression must give one value per row (an aggregate was given)"
                ),
            ));
        }
        Ok(col.f64().expect("cast to f64").clone())
    }

    /// Evaluate a filter expression to a boolean mask (null counts as false).
    pub fn eval_mask(&self, field: &str, expr: Expr) -> Result<Vec<bool>> {
        let v = self.eval_f64(field, expr)?;
        Ok(v.iter().map(|x| matches!(x, Some(x) if x != 0.0)).collect())
    }

    pub fn f64_column(&self, name: &str) -> Result<Float64Chunked> {
        let col = self
            .frame
            .column(name)
            .map_err(|_| Error::data(self.context(), format!("column `{name}` is missing")))?;
        let cast = col.cast(&DataType::Float64).map_err(|_| {
            Error::data(
                self.context(),
                format!("column `{name}`: expected numbers, found {}", col.dtype()),
            )
        })?;
        Ok(cast.f64().expect("cast to f64").clone())
    }
}

pub fn check_columns(context: &str, field: &str, expr: &Expr, schema: &Schema) -> Result<()> {
    for name in expr.clone().meta().root_names() {
        if schema.get(name.as_str()).is_none() {
            return Err(Error::data(
                context,
                format!("{field}: column `{name}` is not in the data (nor a derived variable)"),
            ));
        }
    }
    Ok(())
}

/// A survey from an in-memory frame (synthetic data in tests and benchmarks): no file behind it,
/// so no checksum.
pub fn from_frame(spec: &Spec, wave: &Wave, frame: DataFrame) -> Result<Survey> {
    let input = Input {
        spec_path: wave.path.clone(),
        sha256: String::new(),
        bytes: 0,
        frame,
    };
    prepare(spec, wave, input, Vec::new())
}

/// Build a wave's survey: check the design columns, add derived variables and design columns.
pub fn prepare(spec: &Spec, wave: &Wave, main: Input, linked: Vec<Input>) -> Result<Survey> {
    let context = format!("wave '{}' ({})", wave.id, wave.path.display());
    let mut files = vec![SurveyFile::of("main", &main)];
    files.extend(
        wave.files
            .iter()
            .zip(&linked)
            .map(|(f, i)| SurveyFile::of(&f.role, i)),
    );
    let (frame, links) = if wave.files.is_empty() {
        (main.frame, Vec::new())
    } else {
        let needed = crate::spec::read_from_files(spec, wave);
        link::link_files(main.frame, wave, linked, &needed, &context)?
    };
    let frame = derive_variables(spec, wave, frame, &context)?;
    check_design_columns(&frame, wave, &context)?;
    let frame = add_design_columns(frame, wave, &context)?;
    let design = design::read_design(&frame, wave, spec.uncertainty.lonely_psu, &context)?;
    Ok(Survey {
        wave: wave.clone(),
        frame,
        files,
        links,
        design,
    })
}

/// Derived variables first, in spec order, so later ones may use earlier ones and the design
/// columns may be derived (a survey profile builds the household id and the weight).
fn derive_variables(
    spec: &Spec,
    wave: &Wave,
    mut frame: DataFrame,
    context: &str,
) -> Result<DataFrame> {
    for (i, d) in spec.derive.iter().enumerate() {
        let field = format!("derive[{i}] '{}'", d.name);
        if frame.schema().get(d.name.as_str()).is_some() {
            return Err(Error::data(
                context,
                format!(
                    "{field}: a column named `{}` already exists in the data",
                    d.name
                ),
            ));
        }
        let expr = match &d.value {
            DerivedValue::Expr(e) => crate::spec::parse_expr(&format!("{field}.expr"), e)
                .map_err(|m| Error::data(context, m))?,
            DerivedValue::HeadOf(of) => head_value(&frame, wave, context, &field, of)?,
        };
        check_columns(context, &field, &expr, frame.schema())?;
        let lazy = frame.lazy().with_column(expr.alias(d.name.as_str()));
        frame = crate::error::contain_panic(|| lazy.collect())
            .map_err(|m| Error::data(context, internal(&field, &m)))?
            .map_err(|e| Error::data(context, format!("{field}: {e}")))?;
    }
    Ok(frame)
}

/// A `head_of` derived variable: the value of column `of` on the household head's row,
/// broadcast to the household.
fn head_value(
    frame: &DataFrame,
    wave: &Wave,
    context: &str,
    field: &str,
    of: &str,
) -> Result<Expr> {
    present(frame, context, "household_id", &wave.household_id)?;
    let head_text = wave.head.as_deref().ok_or_else(|| {
        Error::data(
            context,
            format!(
                "{field}.head_of: needs `head` (an expression true on the head's row) in wave '{}'",
                wave.id
            ),
        )
    })?;
    let head = crate::spec::parse_expr(&format!("wave '{}'.head", wave.id), head_text)
        .map_err(|m| Error::data(context, m))?;
    check_columns(
        context,
        &format!("wave '{}'.head", wave.id),
        &head,
        frame.schema(),
    )?;
    // The head's value, broadcast to the household; null if the household has no head row.
    col(of)
        .filter(head)
        .first()
        .over([col(wave.household_id.as_str())])
        .map_err(|e| Error::data(context, format!("{field}.head_of: {e}")))
}

/// Design columns: present and of the right type, before any analysis runs.
fn check_design_columns(frame: &DataFrame, wave: &Wave, context: &str) -> Result<()> {
    check_weights(frame, wave, context)?;
    check_household_sizes(frame, wave, context)?;
    check_welfare(frame, wave, context)?;
    for (field, col) in [
        ("household_id", &wave.household_id),
        ("strata", &wave.strata),
        ("psu", &wave.psu),
    ] {
        present(frame, context, field, col)?;
    }
    for (field, col) in [
        ("fpc", &wave.fpc),
        ("region", &wave.region),
        ("urban", &wave.urban),
        ("age", &wave.age),
    ] {
        if let Some(col) = col {
            present(frame, context, field, col)?;
        }
    }
    if let Some(age) = &wave.age {
        numeric_column(frame, context, "age", age)?;
    }
    households::check_households(frame, wave, context)
}

/// Every weight within `WEIGHT_RANGE`; the message counts the rows that are not.
fn check_weights(frame: &DataFrame, wave: &Wave, context: &str) -> Result<()> {
    let weight = numeric_column(frame, context, "weight", &wave.weight)?;
    let mut bad = 0usize;
    let mut first_bad = None;
    for (i, w) in weight.iter().enumerate() {
        let ok = matches!(w, Some(w) if (WEIGHT_RANGE.0..=WEIGHT_RANGE.1).contains(&w));
        if !ok {
            bad += 1;
            first_bad.get_or_insert((i, w));
        }
    }
    if let Some((row, value)) = first_bad {
        let value = value.map_or("missing".to_string(), |v| v.to_string());
        return Err(Error::data(
            context,
            format!(
                "weight column `{}`: expected positive finite weights between {:e} and {:e}; {bad} row(s) are not (first: data row {}, value {value})",
                wave.weight,
                WEIGHT_RANGE.0,
                WEIGHT_RANGE.1,
                row + 1
            ),
        ));
    }
    Ok(())
}

/// Every household size a whole number from 1 to `MAX_HOUSEHOLD_SIZE`.
fn check_household_sizes(frame: &DataFrame, wave: &Wave, context: &str) -> Result<()> {
    let size = numeric_column(frame, context, "household_size", &wave.household_size)?;
    if let Some((i, v)) = size
        .iter()
        .enumerate()
        .find(|(_, v)| !matches!(v, Some(v) if (1.0..=MAX_HOUSEHOLD_SIZE).contains(v) && v.fract() == 0.0))
    {
        return Err(Error::data(
            context,
            format!(
                "household_size column `{}`: expected whole numbers from 1 to {MAX_HOUSEHOLD_SIZE}; data row {} has {}",
                wave.household_size,
                i + 1,
                v.map_or("a missing value".into(), |v| v.to_string())
            ),
        ));
    }
    Ok(())
}

/// Every welfare value from 0 to `MAX_WELFARE`, and not zero for everyone.
fn check_welfare(frame: &DataFrame, wave: &Wave, context: &str) -> Result<()> {
    let welfare = numeric_column(frame, context, "welfare", &wave.welfare)?;
    if let Some((i, v)) = welfare
        .iter()
        .enumerate()
        .find(|(_, v)| !matches!(v, Some(v) if (0.0..=MAX_WELFARE).contains(v)))
    {
        return Err(Error::data(
            context,
            format!(
                "welfare column `{}`: expected non-negative numbers up to {MAX_WELFARE:e}; data row {} has {}",
                wave.welfare,
                i + 1,
                v.map_or("a missing value".into(), |v| v.to_string())
            ),
        ));
    }
    // Shares, Gini and Palma divide by total welfare: zero for everyone is a wrong column.
    if welfare.iter().all(|v| v == Some(0.0)) {
        return Err(Error::data(
            context,
            format!(
                "welfare column `{}`: zero for every record; expected consumption or income \
                 per capita",
                wave.welfare
            ),
        ));
    }
    Ok(())
}

/// The internal columns every estimator reads: household and person weights, welfare, size.
fn add_design_columns(frame: DataFrame, wave: &Wave, context: &str) -> Result<DataFrame> {
    let hh_weight = col(wave.weight.as_str()).cast(DataType::Float64);
    let person_weight = match wave.unit {
        RowUnit::Person => hh_weight.clone(),
        RowUnit::Household => {
            hh_weight.clone() * col(wave.household_size.as_str()).cast(DataType::Float64)
        }
    };
    frame
        .lazy()
        .with_columns([
            hh_weight.alias(HH_WEIGHT),
            person_weight.alias(PERSON_WEIGHT),
            col(wave.welfare.as_str())
                .cast(DataType::Float64)
                .alias(WELFARE),
            col(wave.household_size.as_str())
                .cast(DataType::Float64)
                .alias(HH_SIZE),
        ])
        .collect()
        .map_err(|e| Error::data(context, e.to_string()))
}

fn present(frame: &DataFrame, context: &str, field: &str, name: &str) -> Result<()> {
    if frame.schema().get(name).is_none() {
        return Err(Error::data(
            context,
            format!(
                "{field} column `{name}` is not in the data; columns found: {}",
                column_list(frame)
            ),
        ));
    }
    Ok(())
}

fn numeric_column(
    frame: &DataFrame,
    context: &str,
    field: &str,
    name: &str,
) -> Result<Float64Chunked> {
    present(frame, context, field, name)?;
    let col = frame.column(name).expect("present");
    if !col.dtype().is_primitive_numeric() {
        return Err(Error::data(
            context,
            format!(
                "{field} column `{name}`: expected numbers, found {}",
                col.dtype()
            ),
        ));
    }
    Ok(col
        .cast(&DataType::Float64)
        .expect("numeric casts to f64")
        .f64()
        .expect("f64")
        .clone())
}

fn column_list(frame: &DataFrame) -> String {
    let names: Vec<String> = frame
        .get_column_names()
        .iter()
        .take(40)
        .map(|s| s.to_string())
        .collect();
    let more = frame.width().saturating_sub(40);
    if more > 0 {
        format!("{} … and {more} more", names.join(", "))
    } else {
        names.join(", ")
    }
}

/// The message for an expression polars could not evaluate without failing internally.
fn internal(field: &str, message: &str) -> String {
    format!(
        "{field}: the expression could not be evaluated (polars failed internally: {message}); \
         expected an expression polars evaluates — try simpler types, e.g. CAST the operands"
    )
}
