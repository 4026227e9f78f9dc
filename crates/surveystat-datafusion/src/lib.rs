//! DataFusion aggregate functions for surveystat: the sufficient statistics of the estimators
//! that need only moments, computed by a query engine over partitioned data.
//!
//! [`register`] adds two aggregate functions to a [`SessionContext`]:
//!
//! - `survey_moments(x1, x2, …)` — the mergeable moment state (number of complete rows, rows
//!   skipped, means, centred cross-products; listwise: a row with a `NULL` or `NaN` in any
//!   argument is skipped and counted) of numeric columns. Its value feeds
//!   `Alpha::fit_moments`, `Kmo::fit_cor`, `Efa::fit_cor`, `SemModel::fit_moments` and
//!   `MultiGroupSem::fit_moments` through [`moment_state`] / [`moments_from_sql`].
//! - `survey_ols_qr(y, x1, …, xk)` — the mergeable QR state of `[1 X y]` for
//!   `Ols::fit_qr` ([`qr_state`] / [`qr_from_sql`]).
//!
//! ```text
//! partition 1 ──► update_batch (Chan updates / stacked QR per record batch) ──► state ─┐
//! partition 2 ──► …                                                                ──► state ─┼─► merge_batch: keep the states
//! …                                                                                           │   evaluate: merge_all (canonical
//! partition N ──► …                                                                ──► state ─┘   order, balanced tree) ──► struct
//! ```
//!
//! The partition states travel as one Arrow `Binary` value (the plan runs unchanged on
//! Ballista, whose shuffle carries them between executors) and are merged once, in a canonical
//! order, so the result is the same to the last bit whatever the order in which partitions
//! finish. For bit-for-bit reproducibility the assignment of rows to partitions must be fixed
//! too: a file or table's own partitioning is; round-robin repartitioning
//! (`datafusion.optimizer.enable_round_robin_repartition`) is not, so [`session_config`] turns
//! it off.
//!
//! # Examples
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use datafusion::prelude::SessionContext;
//! use surveystat::reliability::Alpha;
//! let ctx = SessionContext::new();
//! surveystat_datafusion::register(&ctx);
//! ctx.sql("CREATE TABLE t (a DOUBLE, b DOUBLE, c DOUBLE) AS VALUES \
//!          (1, 2, 2), (2, 3, 3), (4, 4, 5), (3, 5, 4), (5, 4, 5)")
//!     .await
//!     .unwrap();
//! let m = surveystat_datafusion::moments_from_sql(&ctx, "SELECT survey_moments(a, b, c) FROM t")
//!     .await
//!     .unwrap();
//! let alpha = Alpha::new().fit_moments(&m).unwrap();
//! assert_eq!(m.n_obs(), 5);
//! assert!(alpha.raw_alpha() > 0.5);
//! # });
//! ```

#![deny(unsafe_code)]
#![deny(missing_docs)]

mod state;
mod udaf;

use datafusion::arrow::array::{Array, RecordBatch, StructArray};
use datafusion::arrow::util::display::array_value_to_string;
use datafusion::common::cast::{as_list_array, as_struct_array, as_uint64_array};
use datafusion::common::{DataFusionError, Result};
use datafusion::logical_expr::AggregateUDF;
use datafusion::prelude::{SessionConfig, SessionContext};
use ndarray::{Array1, Array2};
use surveystat::moments::{MomentAccumulator, Moments};
use surveystat::regression::QrAccumulator;

pub use udaf::{MAX_PARTS, SurveyMoments, SurveyOlsQr, moments_type, qr_type};

use state::external;

/// Register `survey_moments` and `survey_ols_qr` with a session (on Ballista: with the client's
/// context and with every executor's function registry).
pub fn register(ctx: &SessionContext) {
    ctx.register_udaf(AggregateUDF::from(SurveyMoments::default()));
    ctx.register_udaf(AggregateUDF::from(SurveyOlsQr::default()));
}

/// A session configuration with `partitions` target partitions and without round-robin
/// repartitioning, so that the rows of each partition, and hence the result's bits, are fixed by
/// the data source.
pub fn session_config(partitions: usize) -> SessionConfig {
    SessionConfig::new()
        .with_target_partitions(partitions.max(1))
        .with_round_robin_repartition(false)
}

fn bad(what: &str) -> DataFusionError {
    DataFusionError::Execution(format!("surveystat: {what}"))
}

fn f64_list(s: &StructArray, name: &str, row: usize) -> Result<Vec<f64>> {
    let col = s.column_by_name(name).ok_or_else(|| bad(&format!("no field `{name}`")))?;
    let list = as_list_array(col)?;
    if list.is_null(row) {
        return Err(bad(&format!("`{name}` is null")));
    }
    let v = list.value(row);
    let v = datafusion::common::cast::as_float64_array(&v)?;
    if v.null_count() > 0 {
        return Err(bad(&format!("`{name}` holds a null")));
    }
    Ok(v.values().to_vec())
}

fn count(s: &StructArray, name: &str, row: usize) -> Result<usize> {
    let col = s.column_by_name(name).ok_or_else(|| bad(&format!("no field `{name}`")))?;
    let a = as_uint64_array(col)?;
    if a.is_null(row) {
        return Err(bad(&format!("`{name}` is null")));
    }
    usize::try_from(a.value(row)).map_err(|_| bad("count out of range"))
}

/// The moment state in row `row` of a `survey_moments` result column.
///
/// # Errors
/// A column of another type, a null, or a state `MomentAccumulator::from_state` refuses.
pub fn moment_state(column: &dyn Array, row: usize) -> Result<MomentAccumulator> {
    let s = as_struct_array(column)?;
    let (n, skipped) = (count(s, "n", row)?, count(s, "skipped", row)?);
    let means = f64_list(s, "means", row)?;
    let p = means.len();
    let m2 = f64_list(s, "m2", row)?;
    let m2 = Array2::from_shape_vec((p, p), m2).map_err(|_| bad("`m2` is not p × p"))?;
    MomentAccumulator::from_state(n, skipped, Array1::from(means), m2).map_err(external)
}

/// The QR state in row `row` of a `survey_ols_qr` result column.
///
/// # Errors
/// A column of another type, a null, or a state `QrAccumulator::from_state` refuses.
pub fn qr_state(column: &dyn Array, row: usize) -> Result<QrAccumulator> {
    let s = as_struct_array(column)?;
    let (n, skipped) = (count(s, "n", row)?, count(s, "skipped", row)?);
    let r = f64_list(s, "r", row)?;
    let pc = (r.len() as f64).sqrt().round() as usize;
    let r = Array2::from_shape_vec((pc, pc), r).map_err(|_| bad("`r` is not square"))?;
    QrAccumulator::from_state(n, skipped, &r).map_err(external)
}

/// Run `sql` and return, for every result row, the key (the other columns' values, joined by
/// `", "`) and the state from the single column of type `ty`, sorted by key.
async fn keyed<T>(
    ctx: &SessionContext,
    sql: &str,
    ty: &datafusion::arrow::datatypes::DataType,
    read: impl Fn(&dyn Array, usize) -> Result<T>,
) -> Result<Vec<(String, T)>> {
    let batches: Vec<RecordBatch> = ctx.sql(sql).await?.collect().await?;
    let mut out = Vec::new();
    for b in &batches {
        let schema = b.schema();
        let cols: Vec<usize> =
            (0..b.num_columns()).filter(|&j| schema.field(j).data_type() == ty).collect();
        let [state] = cols[..] else {
            return Err(bad("the query must return exactly one surveystat state column"));
        };
        for row in 0..b.num_rows() {
            let mut key = Vec::new();
            for j in (0..b.num_columns()).filter(|&j| j != state) {
                key.push(array_value_to_string(b.column(j), row)?);
            }
            out.push((key.join(", "), read(b.column(state).as_ref(), row)?));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

fn single<T>(mut rows: Vec<(String, T)>) -> Result<T> {
    if rows.len() != 1 {
        return Err(bad(&format!("the query returned {} rows, not one", rows.len())));
    }
    rows.pop().map(|r| r.1).ok_or_else(|| bad("no row"))
}

/// Run a query returning one `survey_moments(…)` value and give its [`Moments`].
///
/// # Errors
/// DataFusion's errors; a query without exactly one row and one state column; fewer than two
/// complete rows.
pub async fn moments_from_sql(ctx: &SessionContext, sql: &str) -> Result<Moments> {
    let acc = single(keyed(ctx, sql, &moments_type(), moment_state).await?)?;
    acc.to_moments().map_err(external)
}

/// Run a grouped query (`SELECT region, survey_moments(…) FROM t GROUP BY region`) and give
/// each group's key and [`Moments`], sorted by key — the input of
/// `MultiGroupSem::fit_moments`.
///
/// # Errors
/// As [`moments_from_sql`], for any group.
pub async fn grouped_moments_from_sql(
    ctx: &SessionContext,
    sql: &str,
) -> Result<Vec<(String, Moments)>> {
    keyed(ctx, sql, &moments_type(), moment_state)
        .await?
        .into_iter()
        .map(|(k, a)| Ok((k, a.to_moments().map_err(external)?)))
        .collect()
}

/// Run a query returning one `survey_ols_qr(…)` value and give its state, for
/// `Ols::fit_qr`.
///
/// # Errors
/// DataFusion's errors; a query without exactly one row and one state column.
pub async fn qr_from_sql(ctx: &SessionContext, sql: &str) -> Result<QrAccumulator> {
    single(keyed(ctx, sql, &qr_type(), qr_state).await?)
}

/// Run a grouped `survey_ols_qr` query and give each group's key and state, sorted by key.
///
/// # Errors
/// As [`qr_from_sql`].
pub async fn grouped_qr_from_sql(
    ctx: &SessionContext,
    sql: &str,
) -> Result<Vec<(String, QrAccumulator)>> {
    keyed(ctx, sql, &qr_type(), qr_state).await
}
