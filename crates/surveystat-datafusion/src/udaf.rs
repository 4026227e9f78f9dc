//! The two aggregate functions and their accumulators.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, ListArray, StructArray, UInt64Array};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Fields, Float64Type};
use datafusion::common::cast::{as_binary_array, as_float64_array};
use datafusion::common::{Result, ScalarValue, plan_err};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{Accumulator, AggregateUDFImpl, Signature, Volatility};
use ndarray::{ArrayView1, ArrayView2};
use surveystat::moments::MomentAccumulator;
use surveystat::regression::QrAccumulator;

use crate::state::{decode_moments, decode_qr, encode_moments, encode_qr, external};

/// Partition states kept for the final, order-independent merge; beyond this many they are
/// merged as they come (then the last bits may depend on the order of arrival).
pub const MAX_PARTS: usize = 1024;

fn list_type() -> DataType {
    DataType::List(Arc::new(Field::new_list_field(DataType::Float64, true)))
}

/// The result type of `survey_moments`: `{n, skipped, means, m2}` (`m2`: the centred
/// cross-product matrix, row-major p × p).
pub fn moments_type() -> DataType {
    DataType::Struct(Fields::from(vec![
        Field::new("n", DataType::UInt64, true),
        Field::new("skipped", DataType::UInt64, true),
        Field::new("means", list_type(), true),
        Field::new("m2", list_type(), true),
    ]))
}

/// The result type of `survey_ols_qr`: `{n, skipped, r}` (`r`: the upper triangular factor of
/// `[1 X y]`, row-major (k + 2) × (k + 2)).
pub fn qr_type() -> DataType {
    DataType::Struct(Fields::from(vec![
        Field::new("n", DataType::UInt64, true),
        Field::new("skipped", DataType::UInt64, true),
        Field::new("r", list_type(), true),
    ]))
}

fn list(values: Vec<f64>) -> ArrayRef {
    Arc::new(ListArray::from_iter_primitive::<Float64Type, _, _>(vec![Some(
        values.into_iter().map(Some),
    )]))
}

fn struct_scalar(ty: DataType, columns: Vec<ArrayRef>) -> Result<ScalarValue> {
    let DataType::Struct(fields) = ty else {
        return plan_err!("not a struct type");
    };
    Ok(ScalarValue::Struct(Arc::new(StructArray::try_new(fields, columns, None)?)))
}

fn numeric_args(name: &str, arg_types: &[DataType], min: usize) -> Result<Vec<DataType>> {
    if arg_types.len() < min {
        return plan_err!("{name} needs at least {min} column(s)");
    }
    for (i, t) in arg_types.iter().enumerate() {
        if !(t.is_numeric() || *t == DataType::Null) {
            return plan_err!("{name}: argument {} has type {t}, not a number", i + 1);
        }
    }
    Ok(vec![DataType::Float64; arg_types.len()])
}

/// The rows of a batch's argument columns, row-major, `NULL` as `NaN`.
fn rows(values: &[ArrayRef]) -> Result<(Vec<f64>, usize)> {
    let k = values.len();
    let n = values.first().map_or(0, |a| a.len());
    let mut buf = vec![0.0; n * k];
    for (j, a) in values.iter().enumerate() {
        let a = as_float64_array(a)?;
        let v = a.values();
        if a.null_count() == 0 {
            for (i, &x) in v.iter().enumerate().take(n) {
                buf[i * k + j] = x;
            }
        } else {
            for (i, &x) in v.iter().enumerate().take(n) {
                buf[i * k + j] = if a.is_null(i) { f64::NAN } else { x };
            }
        }
    }
    Ok((buf, n))
}

/// `survey_moments(x1, x2, …)`: the mergeable moment state (count, rows skipped, means, centred
/// cross-products) of the listwise-complete rows, as a struct ([`moments_type`]).
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct SurveyMoments {
    signature: Signature,
}

impl Default for SurveyMoments {
    fn default() -> Self {
        Self { signature: Signature::user_defined(Volatility::Immutable) }
    }
}

impl AggregateUDFImpl for SurveyMoments {
    fn name(&self) -> &str {
        "survey_moments"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        numeric_args(self.name(), arg_types, 1)
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(moments_type())
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        Ok(vec![Arc::new(Field::new(format!("{}[parts]", args.name), DataType::Binary, true))])
    }

    fn accumulator(&self, args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        let p = args.exprs.len();
        Ok(Box::new(MomentsAccumulator { p, local: MomentAccumulator::new(p), parts: Vec::new() }))
    }
}

/// The accumulator of `survey_moments`: the rows of this partition go into `local` (Chan
/// updates batch by batch, in the order of the partition); the states of other partitions are
/// kept and merged once, in a canonical order, when the result is evaluated
/// ([`MomentAccumulator::merge_all`]), so the bits of the result do not depend on the order in
/// which partitions finish.
#[derive(Debug)]
struct MomentsAccumulator {
    p: usize,
    local: MomentAccumulator,
    parts: Vec<MomentAccumulator>,
}

impl MomentsAccumulator {
    fn all(&self) -> Vec<MomentAccumulator> {
        let mut v = self.parts.clone();
        if self.local.n_obs() > 0 || self.local.n_skipped() > 0 {
            v.push(self.local.clone());
        }
        v
    }
}

impl Accumulator for MomentsAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let (buf, n) = rows(values)?;
        if n == 0 {
            return Ok(());
        }
        let view = ArrayView2::from_shape((n, self.p), &buf)
            .map_err(|e| datafusion::common::DataFusionError::Internal(e.to_string()))?;
        self.local.update(&view).map_err(external)
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let Some(col) = states.first() else { return Ok(()) };
        let col = as_binary_array(col)?;
        for i in 0..col.len() {
            if col.is_null(i) {
                continue;
            }
            self.parts.extend(decode_moments(self.p, col.value(i))?);
        }
        if self.parts.len() > MAX_PARTS {
            let merged = MomentAccumulator::merge_all(self.p, std::mem::take(&mut self.parts))
                .map_err(external)?;
            self.parts.push(merged);
        }
        Ok(())
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        Ok(vec![ScalarValue::Binary(Some(encode_moments(self.p, &self.all())))])
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        let a = MomentAccumulator::merge_all(self.p, self.all()).map_err(external)?;
        let m2 = a.cross_products().iter().copied().collect();
        struct_scalar(
            moments_type(),
            vec![
                Arc::new(UInt64Array::from(vec![a.n_obs() as u64])),
                Arc::new(UInt64Array::from(vec![a.n_skipped() as u64])),
                list(a.means().to_vec()),
                list(m2),
            ],
        )
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self) + (self.parts.len() + 1) * 8 * (self.p * self.p + self.p + 8)
    }
}

/// `survey_ols_qr(y, x1, …, xk)`: the mergeable QR state of `[1 X y]` (the upper triangular
/// factor, the count and the rows skipped) of the listwise-complete rows, as a struct
/// ([`qr_type`]); [`surveystat::regression::Ols::fit_qr`] turns it into the regression.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct SurveyOlsQr {
    signature: Signature,
}

impl Default for SurveyOlsQr {
    fn default() -> Self {
        Self { signature: Signature::user_defined(Volatility::Immutable) }
    }
}

impl AggregateUDFImpl for SurveyOlsQr {
    fn name(&self) -> &str {
        "survey_ols_qr"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        numeric_args(self.name(), arg_types, 1)
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(qr_type())
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        Ok(vec![Arc::new(Field::new(format!("{}[parts]", args.name), DataType::Binary, true))])
    }

    fn accumulator(&self, args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        let k = args.exprs.len().saturating_sub(1);
        Ok(Box::new(QrStateAccumulator { k, local: QrAccumulator::new(k), parts: Vec::new() }))
    }
}

/// The accumulator of `survey_ols_qr`, with the same deferred canonical merge as
/// `survey_moments`.
#[derive(Debug)]
struct QrStateAccumulator {
    k: usize,
    local: QrAccumulator,
    parts: Vec<QrAccumulator>,
}

impl QrStateAccumulator {
    fn all(&self) -> Vec<QrAccumulator> {
        let mut v = self.parts.clone();
        if self.local.n_obs() > 0 || self.local.n_skipped() > 0 {
            v.push(self.local.clone());
        }
        v
    }
}

impl Accumulator for QrStateAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let (buf, n) = rows(values)?;
        if n == 0 {
            return Ok(());
        }
        let pc = self.k + 1;
        let view = ArrayView2::from_shape((n, pc), &buf)
            .map_err(|e| datafusion::common::DataFusionError::Internal(e.to_string()))?;
        let y: ArrayView1<'_, f64> = view.column(0);
        let x = view.slice_axis(ndarray::Axis(1), ndarray::Slice::from(1..));
        self.local.update(&x, &y).map_err(external)
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let Some(col) = states.first() else { return Ok(()) };
        let col = as_binary_array(col)?;
        for i in 0..col.len() {
            if col.is_null(i) {
                continue;
            }
            self.parts.extend(decode_qr(self.k + 2, col.value(i))?);
        }
        if self.parts.len() > MAX_PARTS {
            let merged = QrAccumulator::merge_all(self.k, std::mem::take(&mut self.parts))
                .map_err(external)?;
            self.parts.push(merged);
        }
        Ok(())
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        Ok(vec![ScalarValue::Binary(Some(encode_qr(self.k + 2, &self.all())))])
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        let a = QrAccumulator::merge_all(self.k, self.all()).map_err(external)?;
        struct_scalar(
            qr_type(),
            vec![
                Arc::new(UInt64Array::from(vec![a.n_obs() as u64])),
                Arc::new(UInt64Array::from(vec![a.n_skipped() as u64])),
                list(a.factor().iter().copied().collect()),
            ],
        )
    }

    fn size(&self) -> usize {
        let pc = self.k + 2;
        std::mem::size_of_val(self) + (self.parts.len() + 1) * 8 * (pc * pc + 8)
    }
}
