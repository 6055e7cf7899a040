//! A wave of several files: each `[[wave.file]]` (a household file, a women's or children's file,
//! a consumption module) is joined onto the rows of the wave's main file, many records of the main
//! file to at most one record of the linked file. The join is checked, never left to multiply
//! rows: a key repeated in the linked file, a missing key, keys of different types (text against
//! numbers) and, for a required file, a main row without a record are errors naming the file and
//! the first offending key; records that match no main row are counted and reported.

use std::collections::BTreeSet;

use polars::prelude::*;

use crate::error::{Error, Result};
use crate::io::inputs::Input;
use crate::spec::{LinkedFile, Wave};

/// Internal names of the join keys and of the "record found" marker.
const KEY: &str = "__link_key";
const HIT: &str = "__link_hit";

/// What joining one linked file did.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkCounts {
    pub role: String,
    /// Records of the file (after summing, one per key).
    pub records: u64,
    /// Main rows that found a record, and those that did not.
    pub matched_rows: u64,
    pub unmatched_rows: u64,
    /// Records of the file that match no main row.
    pub orphan_records: u64,
    /// The columns the join added to the main rows.
    pub columns: Vec<String>,
}

/// Join every linked file onto `main`, in spec order. `needed` holds every column name the spec
/// reads: a linked file contributes only those (a column the main file already has is taken from
/// the main file), or, with `sum`, exactly its summed columns.
pub fn link_files(
    mut main: DataFrame,
    wave: &Wave,
    linked: Vec<Input>,
    needed: &BTreeSet<String>,
    context: &str,
) -> Result<(DataFrame, Vec<LinkCounts>)> {
    let mut counts = Vec::new();
    for (file, input) in wave.files.iter().zip(linked) {
        let at = format!(
            "wave '{}' file '{}' ({})",
            wave.id,
            file.role,
            file.path.display()
        );
        let (joined, c) = link_one(main, file, input.frame, needed, context, &at)?;
        main = joined;
        counts.push(c);
    }
    Ok((main, counts))
}

fn link_one(
    main: DataFrame,
    file: &LinkedFile,
    records: DataFrame,
    needed: &BTreeSet<String>,
    context: &str,
    at: &str,
) -> Result<(DataFrame, LinkCounts)> {
    let records = selected_records(records, file, at)?;
    let columns = columns_taken(&main, file, &records, needed, at)?;
    let mut main_keys = Vec::new();
    let mut file_keys = Vec::new();
    for (i, (on, key)) in file.on().iter().zip(&file.keys).enumerate() {
        let name = format!("{KEY}{i}");
        let (left, right) = key_pair(&main, on, &records, key, &name, context, at)?;
        main_keys.push(left);
        file_keys.push(right);
    }
    let key_names: Vec<String> = (0..file.keys.len()).map(|i| format!("{KEY}{i}")).collect();
    let right = file_side(records, file, &file_keys, &columns, at)?;
    check_unique_keys(&right, file, &key_names, at)?;
    let main = collect(main.lazy().with_columns(main_keys), at)?;
    let key_exprs: Vec<Expr> = key_names.iter().map(|k| col(k.as_str())).collect();
    let mut args = JoinArgs::new(JoinType::Left);
    args.maintain_order = MaintainOrderJoin::Left;
    let joined = collect(
        main.clone()
            .lazy()
            .join(right.clone().lazy(), &key_exprs, &key_exprs, args),
        at,
    )?;
    if joined.height() != main.height() {
        // Unique keys make this impossible; kept as a guard against silent row multiplication.
        return Err(Error::data(at, "the join changed the number of main rows"));
    }
    let hits = joined
        .column(HIT)
        .map_err(|e| Error::data(at, e.to_string()))?;
    let matched = (hits.len() - hits.null_count()) as u64;
    let unmatched = main.height() as u64 - matched;
    if file.required() && unmatched > 0 {
        let row = hits
            .is_null()
            .iter()
            .position(|n| n == Some(true))
            .unwrap_or(0);
        return Err(Error::data(
            at,
            format!(
                "{unmatched} row(s) of the main file find no record in this file, which every row \
                 needs (required); the first is data row {} of the main file, with {}",
                row + 1,
                describe_key(&main, file.on(), file.on(), row)
            ),
        ));
    }
    let orphans = orphan_records(&main, &right, &key_names, at)?;
    // The marker stays, as `__in_<role>`: an indicator with `file = "<role>"` keeps these rows.
    let joined = collect(
        joined
            .drop_many(key_names.clone())
            .lazy()
            .with_column(col(HIT).fill_null(lit(false)).alias(marker(&file.role))),
        at,
    )?
    .drop_many([HIT]);
    let counts = LinkCounts {
        role: file.role.clone(),
        records: right.height() as u64,
        matched_rows: matched,
        unmatched_rows: unmatched,
        orphan_records: orphans,
        columns,
    };
    Ok((joined, counts))
}

/// Name of the column marking the main rows that found a record of the file with this role.
pub fn marker(role: &str) -> String {
    format!("__in_{role}")
}

/// The records the spec joins: those `rows` selects (in the file's own names), with columns
/// renamed as `rename` says.
fn selected_records(records: DataFrame, file: &LinkedFile, at: &str) -> Result<DataFrame> {
    let mut records = match &file.rows {
        Some(text) => {
            let field = format!("{at}.rows");
            let expr = crate::spec::parse_expr(&field, text).map_err(|m| Error::data(at, m))?;
            super::check_columns(at, "rows", &expr, records.schema())?;
            let kept = collect(records.lazy().filter(expr.fill_null(lit(false))), at)?;
            if kept.height() == 0 {
                return Err(Error::data(
                    at,
                    format!("rows: `{text}` selects no record of the file"),
                ));
            }
            kept
        }
        None => records,
    };
    for (from, to) in &file.rename {
        if records.schema().get(to.as_str()).is_some() {
            return Err(Error::data(
                at,
                format!("rename: the file already has a column `{to}`"),
            ));
        }
        records
            .rename(from, to.as_str().into())
            .map_err(|_| Error::data(at, format!("rename: column `{from}` is not in the file")))?;
    }
    Ok(records)
}

/// The columns a linked file adds: its summed columns, or the columns the spec reads that the main
/// file does not already hold (an earlier linked file's columns are in `main` by now).
fn columns_taken(
    main: &DataFrame,
    file: &LinkedFile,
    records: &DataFrame,
    needed: &BTreeSet<String>,
    at: &str,
) -> Result<Vec<String>> {
    let has = |frame: &DataFrame, c: &str| frame.schema().get(c).is_some();
    for k in &file.keys {
        if !has(records, k) {
            return Err(Error::data(
                at,
                format!("keys: column `{k}` is not in the file"),
            ));
        }
    }
    if !file.sum.is_empty() {
        for c in &file.sum {
            if !has(records, c) {
                return Err(Error::data(
                    at,
                    format!("sum: column `{c}` is not in the file"),
                ));
            }
            if has(main, c) {
                return Err(Error::data(
                    at,
                    format!("sum: column `{c}` is already in the main file (or an earlier linked file); a summed column needs a name of its own"),
                ));
            }
        }
        return Ok(file.sum.clone());
    }
    Ok(records
        .get_column_names()
        .into_iter()
        .map(|c| c.to_string())
        .filter(|c| needed.contains(c) && !has(main, c) && !file.keys.contains(c))
        .collect())
}

/// The kind of values a key holds, for matching keys across files.
#[derive(Debug, Clone, Copy, PartialEq)]
enum KeyKind {
    Whole,
    Text,
}

/// A key column as an expression of the kind both files share (whole numbers as Int64, so a key
/// stored as a double in one file and an integer in the other still matches).
fn key_expr(frame: &DataFrame, column: &str, where_: &str) -> Result<(KeyKind, Expr)> {
    let c = frame
        .column(column)
        .map_err(|_| Error::data(where_, format!("key column `{column}` is not in the file")))?;
    let dtype = c.dtype();
    if dtype.is_integer() {
        return Ok((KeyKind::Whole, col(column).cast(DataType::Int64)));
    }
    if dtype.is_float() {
        let values = c
            .cast(&DataType::Float64)
            .map_err(|e| Error::data(where_, e.to_string()))?;
        let values = values
            .f64()
            .map_err(|e| Error::data(where_, e.to_string()))?;
        // Beyond 2^53 a double no longer holds every whole number, so two ids could collide.
        let not_whole = |v: &f64| v.fract() != 0.0 || v.abs() > 9e15;
        if let Some(v) = values.iter().flatten().find(not_whole) {
            return Err(Error::data(
                where_,
                format!("key column `{column}` holds {v}, which is not a whole number; a key must be whole numbers or text"),
            ));
        }
        return Ok((KeyKind::Whole, col(column).cast(DataType::Int64)));
    }
    if matches!(dtype, DataType::String) {
        return Ok((KeyKind::Text, col(column)));
    }
    Err(Error::data(
        where_,
        format!("key column `{column}` is of type {dtype}; a key must be whole numbers or text"),
    ))
}

/// The key expressions of one key pair (main column `on`, file column `key`), named `name`.
fn key_pair(
    main: &DataFrame,
    on: &str,
    records: &DataFrame,
    key: &str,
    name: &str,
    context: &str,
    at: &str,
) -> Result<(Expr, Expr)> {
    let main_at = format!("{context}, main file (the `on` columns of file '{at}')");
    let (left_kind, left) = key_expr(main, on, &main_at)?;
    let (right_kind, right) = key_expr(records, key, at)?;
    if left_kind != right_kind {
        let kind = |k| match k {
            KeyKind::Whole => "numbers",
            KeyKind::Text => "text",
        };
        return Err(Error::data(
            at,
            format!(
                "key `{key}` holds {} here but the main file's `{on}` holds {}; write both keys \
                 the same way (e.g. export the ids as numbers in both files)",
                kind(right_kind),
                kind(left_kind)
            ),
        ));
    }
    Ok((left.alias(name), right.alias(name)))
}

/// The linked file as joined: keys, the columns taken (summed per key with `sum`), the marker.
fn file_side(
    records: DataFrame,
    file: &LinkedFile,
    keys: &[Expr],
    columns: &[String],
    at: &str,
) -> Result<DataFrame> {
    let key_names: Vec<String> = (0..keys.len()).map(|i| format!("{KEY}{i}")).collect();
    if let Some(row) = first_null_key(&records, &file.keys) {
        return Err(Error::data(
            at,
            format!(
                "data row {}: a key ({}) is missing; every record needs its keys",
                row + 1,
                file.keys.join(", ")
            ),
        ));
    }
    let mut select: Vec<Expr> = keys.to_vec();
    select.extend(columns.iter().map(|c| col(c.as_str())));
    let lazy = records.lazy().select(select);
    let lazy = if file.sum.is_empty() {
        lazy
    } else {
        for c in &file.sum {
            check_summable(&lazy, c, at)?;
        }
        let by: Vec<Expr> = key_names.iter().map(|k| col(k.as_str())).collect();
        let sums: Vec<Expr> = file.sum.iter().map(|c| col(c.as_str()).sum()).collect();
        // Sorted by key, so the file's record order never reaches the output.
        lazy.group_by(by.clone())
            .agg(sums)
            .sort_by_exprs(by, SortMultipleOptions::default())
    };
    collect(lazy.with_column(lit(true).alias(HIT)), at)
}

/// A summed column must be numeric and complete: a missing item value would count as zero.
fn check_summable(lazy: &LazyFrame, column: &str, at: &str) -> Result<()> {
    let frame = collect(lazy.clone().select([col(column)]), at)?;
    let c = frame
        .column(column)
        .map_err(|e| Error::data(at, e.to_string()))?;
    if !c.dtype().is_primitive_numeric() {
        return Err(Error::data(
            at,
            format!(
                "sum: column `{column}` is of type {}; expected numbers",
                c.dtype()
            ),
        ));
    }
    if c.null_count() > 0 {
        return Err(Error::data(
            at,
            format!(
                "sum: column `{column}` has {} missing value(s); a sum would count them as zero \
                 (fill or drop those records at the source)",
                c.null_count()
            ),
        ));
    }
    Ok(())
}

fn first_null_key(records: &DataFrame, keys: &[String]) -> Option<usize> {
    keys.iter()
        .filter_map(|k| records.column(k).ok())
        .filter_map(|c| c.is_null().iter().position(|n| n == Some(true)))
        .min()
}

/// A linked file's keys must each name one record: otherwise the join would copy main rows.
fn check_unique_keys(
    right: &DataFrame,
    file: &LinkedFile,
    key_names: &[String],
    at: &str,
) -> Result<()> {
    let keys = right
        .select(key_names.iter().map(|k| k.as_str()))
        .map_err(|e| Error::data(at, e.to_string()))?;
    let duplicated = keys
        .is_duplicated()
        .map_err(|e| Error::data(at, e.to_string()))?;
    let n = duplicated.sum().unwrap_or(0);
    if let Some(row) = duplicated.iter().position(|d| d == Some(true)) {
        return Err(Error::data(
            at,
            format!(
                "{n} record(s) share a key with another record; the first is data row {}, with {} \
                 (each key must name one record: one household per household id, one woman per \
                 household and line number; declare `sum` to add up a module's records per key)",
                row + 1,
                describe_key(right, key_names, &file.keys, row)
            ),
        ));
    }
    Ok(())
}

/// Records of the linked file whose key no main row has.
fn orphan_records(
    main: &DataFrame,
    right: &DataFrame,
    key_names: &[String],
    at: &str,
) -> Result<u64> {
    let by: Vec<Expr> = key_names.iter().map(|k| col(k.as_str())).collect();
    let seen = main
        .clone()
        .lazy()
        .group_by(by.clone())
        .agg([lit(true).first().alias("__seen")]);
    let mut args = JoinArgs::new(JoinType::Left);
    args.maintain_order = MaintainOrderJoin::Left;
    let joined = collect(
        right
            .clone()
            .lazy()
            .select(by.clone())
            .join(seen, &by, &by, args),
        at,
    )?;
    let seen = joined
        .column("__seen")
        .map_err(|e| Error::data(at, e.to_string()))?;
    Ok(seen.null_count() as u64)
}

/// "`hhid` = 1204, `line` = 3" for messages: the values of `columns` in `row`, under `labels`.
fn describe_key(frame: &DataFrame, columns: &[String], labels: &[String], row: usize) -> String {
    columns
        .iter()
        .zip(labels)
        .map(|(c, label)| {
            let value = frame
                .column(c)
                .ok()
                .and_then(|col| col.get(row).ok().map(|v| v.to_string()))
                .unwrap_or_default();
            format!("`{label}` = {value}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn collect(lazy: LazyFrame, at: &str) -> Result<DataFrame> {
    crate::error::contain_panic(|| lazy.collect())
        .map_err(|m| Error::data(at, format!("joining the file failed: {m}")))?
        .map_err(|e| Error::data(at, format!("joining the file failed: {e}")))
}
