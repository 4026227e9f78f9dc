//! Target (Procrustes) and simplimax criteria, and the target matrix they rotate towards.

use ndarray::{Array2, ArrayRef2};

use crate::error::{Error, Result};

/// A target loading matrix (variables × factors) for target rotation; unspecified entries
/// (NaN on input, `null` in JSON) do not enter the criterion.
///
/// A fully specified target gives GPArotation's `targetT` / `targetQ`; a partially specified
/// one its `pstT` / `pstQ` with weights `W = 1` where the target is given and `0` elsewhere.
///
/// # Examples
/// ```
/// use ndarray::array;
/// use surveystat::factor::{Rotation, Target};
/// let t = Target::new(&array![[f64::NAN, 0.0], [f64::NAN, 0.0], [0.0, f64::NAN]]).unwrap();
/// assert!(t.is_partial());
/// let rot = Rotation::TargetQ(t);
/// assert!(rot.is_oblique());
/// ```
///
/// # Errors
/// [`Error::InvalidParameter`] for an empty matrix, an infinite entry, or no specified entry.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Target {
    nrows: usize,
    ncols: usize,
    /// Row-major entries; `None` = unspecified.
    values: Vec<Option<f64>>,
}

impl Target {
    /// A target from a matrix (rows = variables, columns = factors); NaN marks an unspecified
    /// entry.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for an empty matrix, an infinite entry, or no specified entry.
    pub fn new(m: &ArrayRef2<f64>) -> Result<Self> {
        let (nrows, ncols) = m.dim();
        if nrows == 0 || ncols == 0 {
            return Err(Error::invalid("target", "the target matrix is empty"));
        }
        if m.iter().any(|v| v.is_infinite()) {
            return Err(Error::invalid("target", "the target matrix has an infinite entry"));
        }
        let values: Vec<Option<f64>> =
            m.iter().map(|&v| if v.is_nan() { None } else { Some(v) }).collect();
        let t = Self { nrows, ncols, values };
        t.check_specified()?;
        Ok(t)
    }

    /// (variables, factors).
    pub fn dim(&self) -> (usize, usize) {
        (self.nrows, self.ncols)
    }

    /// Entry `(i, j)`, `None` when unspecified (or out of range).
    pub fn get(&self, i: usize, j: usize) -> Option<f64> {
        if i < self.nrows && j < self.ncols { self.values[i * self.ncols + j] } else { None }
    }

    /// Whether some entries are unspecified (GPArotation `pstT` / `pstQ`).
    pub fn is_partial(&self) -> bool {
        self.values.iter().any(Option::is_none)
    }

    /// The target as a matrix, NaN where unspecified.
    pub fn to_matrix(&self) -> Array2<f64> {
        Array2::from_shape_fn((self.nrows, self.ncols), |(i, j)| self.get(i, j).unwrap_or(f64::NAN))
    }

    /// At least one finite entry, and the stored shape consistent (a deserialized value is
    /// checked again before use).
    fn check_specified(&self) -> Result<()> {
        if self.values.len() != self.nrows * self.ncols {
            return Err(Error::invalid("target", "the target's entries do not fill its shape"));
        }
        if !self.values.iter().any(|v| v.is_some_and(f64::is_finite)) {
            return Err(Error::invalid("target", "every entry of the target is unspecified (NA)"));
        }
        Ok(())
    }

    /// Checks the target against p × k loadings.
    pub(crate) fn check(&self, p: usize, k: usize) -> Result<()> {
        self.check_specified()?;
        if self.nrows != p {
            return Err(Error::DimensionMismatch {
                what: "target rows (one per variable)".into(),
                expected: p,
                found: self.nrows,
            });
        }
        if self.ncols != k {
            return Err(Error::DimensionMismatch {
                what: "target columns (one per factor)".into(),
                expected: k,
                found: self.ncols,
            });
        }
        Ok(())
    }
}

/// Target criterion `f = Σ_{specified} (λ_ij − t_ij)²`, gradient `2(λ_ij − t_ij)` on the
/// specified entries and 0 elsewhere (GPArotation `vgQ.target`, `vgQ.pst` with 0/1 weights).
/// `None` when the shapes differ.
pub(super) fn target_into(t: &Target, l: &[f64], p: usize, k: usize, g: &mut [f64]) -> Option<f64> {
    if t.dim() != (p, k) {
        return None;
    }
    let mut f = 0.0;
    for ((gv, &lv), tv) in g[..p * k].iter_mut().zip(&l[..p * k]).zip(&t.values) {
        *gv = match tv {
            Some(x) => {
                let d = lv - x;
                f += d * d;
                2.0 * d
            }
            None => 0.0,
        };
    }
    Some(f)
}

/// Simplimax (Kiers 1994; GPArotation `vgQ.simplimax`): with `c` the `m`-th smallest squared
/// loading, `f = Σ λ_ij² [λ_ij² ≤ c]`, gradient `2 λ_ij [λ_ij² ≤ c]` (ties at `c` all count).
/// `None` for `m` outside `1..=p k`.
pub(super) fn simplimax_into(
    l: &[f64],
    p: usize,
    k: usize,
    m: usize,
    g: &mut [f64],
) -> Option<f64> {
    let n = p * k;
    if m == 0 || m > n {
        return None;
    }
    let mut sq: Vec<f64> = l[..n].iter().map(|v| v * v).collect();
    let (_, c, _) = sq.select_nth_unstable_by(m - 1, f64::total_cmp);
    let c = *c;
    let mut f = 0.0;
    for (gv, &v) in g[..n].iter_mut().zip(&l[..n]) {
        let v2 = v * v;
        if v2 <= c {
            f += v2;
            *gv = 2.0 * v;
        } else {
            *gv = 0.0;
        }
    }
    Some(f)
}
