//! Score (Lagrange multiplier) tests of the cross-group equality constraints of a multi-group
//! model: lavaan's `lavTestScore`.

use ndarray::{Array1, Array2};

use super::super::MultiGroupFit;
use super::super::multigroup::GroupScoreParts;
use super::super::partable::ParTable;
use crate::core::dist::chisq_sf;
use crate::core::linalg::{spd_solve, sym_pinv};
use crate::error::{Error, Result};

/// The score test of releasing one equality constraint: the parameter `lhs op rhs` of group
/// `group_b` set free from its value in group `group_a`.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ConstraintScore {
    /// Left-hand side of the constrained parameter.
    pub lhs: String,
    /// Operator (`=~`, `~`, `~~`, `~1`).
    pub op: String,
    /// Right-hand side (empty for intercepts).
    pub rhs: String,
    /// The group whose parameter the constraint refers to (1-based; the first group sharing it).
    pub group_a: usize,
    /// The group whose copy the test releases (1-based).
    pub group_b: usize,
    /// Score statistic, χ² with one degree of freedom under the constraint.
    pub x2: f64,
    /// Degrees of freedom (1).
    pub df: f64,
    /// P(χ²₁ > x2).
    pub pvalue: f64,
}

/// Score tests of the equality constraints of a multi-group model: one univariate test per
/// constraint and the total test of releasing all of them.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ScoreTests {
    /// Total score statistic (all constraints released at once).
    pub total_x2: f64,
    /// Its degrees of freedom (the number of constraints).
    pub total_df: f64,
    /// Its p-value.
    pub total_pvalue: f64,
    /// The univariate tests, in parameter order and then group order.
    pub univariate: Vec<ConstraintScore>,
}

impl ScoreTests {
    /// The univariate test with the largest statistic among those `keep` accepts.
    pub fn largest(&self, keep: impl Fn(&ConstraintScore) -> bool) -> Option<&ConstraintScore> {
        self.univariate.iter().filter(|c| keep(c)).max_by(|a, b| a.x2.total_cmp(&b.x2))
    }
}

impl MultiGroupFit {
    /// Score tests of the cross-group equality constraints (those of `group.equal` and of
    /// labels shared by the groups), at the constrained estimates — lavaan's `lavTestScore`
    /// with the expected information.
    ///
    /// # Formula
    /// Each group's parameters are given their own copy (the unconstrained parametrization u,
    /// information I_u block-diagonal over groups, score U = ∂ log L/∂u at the estimates).
    /// Releasing constraint r maps u to the constrained parameters plus one new parameter for
    /// the released copy (the matrix M_r):
    /// ```text
    /// T_r = (M_rᵀ U)ᵀ (M_rᵀ I_u M_r)⁻¹ (M_rᵀ U)   ~ χ²₁
    /// T   = Uᵀ I_u⁻¹ U                          ~ χ²_k  (all k constraints released)
    /// ```
    /// When the model with all constraints released is not identified (equal intercepts with
    /// the later groups' latent means free), I_u⁻¹ is the Moore–Penrose inverse (eigenvalues
    /// below 1e-10 × the largest are zero): the likelihood is flat along its null space, so
    /// the score has no component there.
    ///
    /// # Errors
    /// [`crate::Error::NotPositiveDefinite`] when the information of a released model is not
    /// positive definite (a parameter not identified without the constraint).
    ///
    /// # References
    /// Rao, C. R. (1948). Large sample tests of statistical hypotheses concerning several
    /// parameters. *Proc. Cambridge Philos. Soc.*, 44, 50–57. Sörbom, D. (1989). Model
    /// modification. *Psychometrika*, 54, 371–384. Validated against R lavaan 0.6.14
    /// `lavTestScore` on HolzingerSwineford1939 by school and the study survey by region.
    pub fn score_tests(&self) -> Result<ScoreTests> {
        let parts = self.score_parts();
        if parts.is_empty() {
            return Err(Error::invalid("score tests", "the fit holds no score information"));
        }
        let q = self.coefficients().len();
        // unconstrained index → (group, local index), global index
        let mut owner = Vec::new();
        let mut global = Vec::new();
        let mut offset = Vec::with_capacity(parts.len());
        for (g, p) in parts.iter().enumerate() {
            offset.push(owner.len());
            for (f, &k) in p.map.iter().enumerate() {
                owner.push((g, f));
                global.push(k);
            }
        }
        let nu = owner.len();
        // occurrences of each global parameter, in group order
        let mut occ: Vec<Vec<usize>> = vec![Vec::new(); q];
        for (u, &k) in global.iter().enumerate() {
            if k < q {
                occ[k].push(u);
            }
        }
        // the information of a parametrization given by `col` (unconstrained index → column)
        let project = |col: &dyn Fn(usize) -> usize, dim: usize| {
            let mut a = Array2::<f64>::zeros((dim, dim));
            let mut s = Array1::<f64>::zeros(dim);
            for (g, p) in parts.iter().enumerate() {
                let o = offset[g];
                for i in 0..p.map.len() {
                    let ci = col(o + i);
                    s[ci] += p.score[i];
                    for j in 0..p.map.len() {
                        a[[ci, col(o + j)]] += p.information[[i, j]];
                    }
                }
            }
            (a, s)
        };
        let quad = |a: &Array2<f64>, s: &Array1<f64>, what: &str| -> Result<f64> {
            let x = spd_solve(a.view(), s.view().insert_axis(ndarray::Axis(1)), what)?;
            Ok(s.iter().zip(x.column(0)).map(|(a, b)| a * b).sum())
        };
        let mut univariate = Vec::new();
        for occ_k in &occ {
            let Some((&anchor, others)) = occ_k.split_first() else { continue };
            for &o in others {
                let col = |u: usize| if u == o { q } else { global[u] };
                let (a, s) = project(&col, q + 1);
                let x2 = quad(&a, &s, "information with one equality constraint released")?;
                let (ga, fa) = owner[anchor];
                let (gb, _) = owner[o];
                let (lhs, op, rhs) = parts[ga].params[fa].clone();
                univariate.push(ConstraintScore {
                    lhs,
                    op,
                    rhs,
                    group_a: ga + 1,
                    group_b: gb + 1,
                    x2,
                    df: 1.0,
                    pvalue: chisq_sf(x2.max(0.0), 1.0),
                });
            }
        }
        let (a, s) = project(&|u| u, nu);
        // With every constraint released the model can be unidentified (equal intercepts
        // released while the later groups' latent means stay free): the likelihood is flat along
        // the null space of the information, so the score has no component there and the
        // statistic is the quadratic form in the Moore–Penrose inverse.
        let what = "information with all equality constraints released";
        let total_x2 = if univariate.is_empty() {
            0.0
        } else {
            match quad(&a, &s, what) {
                Ok(x) => x,
                Err(_) => {
                    let (pinv, _) = sym_pinv(a.view(), what, 1e-10)?;
                    s.dot(&pinv.dot(&s))
                }
            }
        };
        let total_df = univariate.len() as f64;
        let total_pvalue =
            if total_df > 0.0 { chisq_sf(total_x2.max(0.0), total_df) } else { f64::NAN };
        Ok(ScoreTests { total_x2, total_df, total_pvalue, univariate })
    }
}

/// One group's score-test input for a model with a structured mean part: the per-observation
/// information `info` (expected for complete data, observed for FIML, as in the covariance
/// matrix of the estimates) and the gradient `grad` of f_g = −ℓ_g/n_g, both over the group's
/// own free parameters (means and covariance structure together), scaled to the group's
/// log-likelihood: information n_g·I_g and score −n_g·∂f_g/∂θ_g = ∂ℓ_g/∂θ_g.
pub(crate) fn mean_score_parts(
    pt: &ParTable,
    info: &Array2<f64>,
    grad: &Array1<f64>,
    n: f64,
    map: &[usize],
) -> GroupScoreParts {
    let params = super::super::params::free_rows(pt);
    GroupScoreParts {
        information: info.mapv(|v| n * v),
        score: grad.mapv(|v| -n * v),
        map: map.to_vec(),
        params,
    }
}
