//! The intermediate state shipped between partial and final aggregation: a list of partition
//! states, encoded as one little-endian byte string (an Arrow `Binary` value), so it crosses
//! process boundaries (Ballista's shuffle) unchanged.
//!
//! ```text
//! moments: [p u64][count u64] then per part [n u64][skipped u64][mean p f64][M₂ upper triangle, row-major, p(p+1)/2 f64]
//! QR:      [pc u64][count u64] then per part [n u64][skipped u64][R upper triangle, row-major, pc(pc+1)/2 f64]
//! ```

use datafusion::common::{DataFusionError, Result};
use ndarray::{Array1, Array2};
use surveystat::moments::MomentAccumulator;
use surveystat::regression::QrAccumulator;

/// Largest order accepted when decoding (a bound on what a corrupt header could allocate).
const MAX_ORDER: usize = 4096;

fn corrupt(what: &str) -> DataFusionError {
    DataFusionError::Execution(format!("surveystat state: {what}"))
}

/// A surveystat error as a DataFusion error.
pub(crate) fn external(e: surveystat::Error) -> DataFusionError {
    DataFusionError::External(Box::new(e))
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn u64(&mut self) -> Result<u64> {
        let end = self.at + 8;
        let b = self.bytes.get(self.at..end).ok_or_else(|| corrupt("truncated"))?;
        self.at = end;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }

    fn usize(&mut self) -> Result<usize> {
        usize::try_from(self.u64()?).map_err(|_| corrupt("count out of range"))
    }

    fn f64(&mut self) -> Result<f64> {
        Ok(f64::from_bits(self.u64()?))
    }

    /// The header: order and number of parts, checked against the bytes left.
    fn header(&mut self, part_len: impl Fn(usize) -> usize) -> Result<(usize, usize)> {
        let order = self.usize()?;
        if order > MAX_ORDER {
            return Err(corrupt("order too large"));
        }
        let count = self.usize()?;
        let left = self.bytes.len().saturating_sub(self.at);
        if count.checked_mul(part_len(order)) != Some(left) {
            return Err(corrupt("length does not match the header"));
        }
        Ok((order, count))
    }
}

fn put(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn moment_part_len(p: usize) -> usize {
    8 * (2 + p + p * (p + 1) / 2)
}

fn qr_part_len(pc: usize) -> usize {
    8 * (2 + pc * (pc + 1) / 2)
}

/// Encode moment states of `p` variables.
pub(crate) fn encode_moments(p: usize, parts: &[MomentAccumulator]) -> Vec<u8> {
    let mut out = Vec::with_capacity(16 + parts.len() * moment_part_len(p));
    put(&mut out, p as u64);
    put(&mut out, parts.len() as u64);
    for a in parts {
        put(&mut out, a.n_obs() as u64);
        put(&mut out, a.n_skipped() as u64);
        for v in a.means() {
            put(&mut out, v.to_bits());
        }
        let m2 = a.cross_products();
        for i in 0..p {
            for j in i..p {
                put(&mut out, m2[[i, j]].to_bits());
            }
        }
    }
    out
}

/// Decode moment states, checking that they have `p` variables.
pub(crate) fn decode_moments(p: usize, bytes: &[u8]) -> Result<Vec<MomentAccumulator>> {
    let mut r = Reader { bytes, at: 0 };
    let (order, count) = r.header(moment_part_len)?;
    if order != p {
        return Err(corrupt("moment state of a different number of variables"));
    }
    let mut parts = Vec::with_capacity(count);
    for _ in 0..count {
        let n = r.usize()?;
        let skipped = r.usize()?;
        let mut mean = Array1::zeros(p);
        for v in mean.iter_mut() {
            *v = r.f64()?;
        }
        let mut m2 = Array2::zeros((p, p));
        for i in 0..p {
            for j in i..p {
                let v = r.f64()?;
                m2[[i, j]] = v;
                m2[[j, i]] = v;
            }
        }
        parts.push(MomentAccumulator::from_state(n, skipped, mean, m2).map_err(external)?);
    }
    Ok(parts)
}

/// Encode QR states of order `pc` (= predictors + 2).
pub(crate) fn encode_qr(pc: usize, parts: &[QrAccumulator]) -> Vec<u8> {
    let mut out = Vec::with_capacity(16 + parts.len() * qr_part_len(pc));
    put(&mut out, pc as u64);
    put(&mut out, parts.len() as u64);
    for a in parts {
        put(&mut out, a.n_obs() as u64);
        put(&mut out, a.n_skipped() as u64);
        let r = a.factor();
        for i in 0..pc {
            for j in i..pc {
                put(&mut out, r[[i, j]].to_bits());
            }
        }
    }
    out
}

/// Decode QR states, checking their order `pc`.
pub(crate) fn decode_qr(pc: usize, bytes: &[u8]) -> Result<Vec<QrAccumulator>> {
    let mut r = Reader { bytes, at: 0 };
    let (order, count) = r.header(qr_part_len)?;
    if order != pc {
        return Err(corrupt("QR state of a different number of predictors"));
    }
    let mut parts = Vec::with_capacity(count);
    for _ in 0..count {
        let n = r.usize()?;
        let skipped = r.usize()?;
        let mut f = Array2::zeros((pc, pc));
        for i in 0..pc {
            for j in i..pc {
                f[[i, j]] = r.f64()?;
            }
        }
        parts.push(QrAccumulator::from_state(n, skipped, &f).map_err(external)?);
    }
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_corrupt_input() {
        let x = ndarray::array![[1.0, 2.0], [2.0, 5.0], [4.0, 1.0]];
        let mut a = MomentAccumulator::new(2);
        a.update(&x).unwrap();
        let bytes = encode_moments(2, &[a.clone(), MomentAccumulator::new(2)]);
        let back = decode_moments(2, &bytes).unwrap();
        assert_eq!(back[0], a);
        assert!(decode_moments(3, &bytes).is_err());
        assert!(decode_moments(2, &bytes[..bytes.len() - 1]).is_err());
        let mut huge = bytes.clone();
        huge[8..16].copy_from_slice(&u64::MAX.to_le_bytes());
        assert!(decode_moments(2, &huge).is_err());

        let mut q = QrAccumulator::new(1);
        q.update(&x.slice(ndarray::s![.., ..1]), &x.column(1)).unwrap();
        let bytes = encode_qr(3, std::slice::from_ref(&q));
        assert_eq!(decode_qr(3, &bytes).unwrap()[0], q);
        assert!(decode_qr(4, &bytes).is_err());
    }
}
