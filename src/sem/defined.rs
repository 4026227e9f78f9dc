//! Defined parameters (`:=`): value and gradient with respect to θ, for delta-method SEs.
//!
//! ```text
//! se(h(θ̂)) = sqrt( ∇h(θ̂)ᵀ V(θ̂) ∇h(θ̂) )
//! ```

use std::collections::HashMap;

use super::syntax::{BinOp, Expr};
use crate::summary::ParamRow;
use crate::warning::Warning;

/// One warning per defined parameter (`:=`) whose value is not a finite number (e.g. `a/0`):
/// its estimate and standard error are reported as missing.
pub(crate) fn undefined_warnings(rows: &[ParamRow], warnings: &mut Vec<Warning>) {
    for r in rows.iter().filter(|r| r.op == ":=" && !r.est.is_finite()) {
        warnings.push(Warning::Other {
            message: format!(
                "defined parameter `{}` := {} has no finite value at the estimates; its estimate and standard error are missing",
                r.lhs, r.rhs
            ),
        });
    }
}

/// A value with its gradient.
#[derive(Debug, Clone)]
pub(crate) struct Dual {
    pub v: f64,
    pub g: Vec<f64>,
}

impl Dual {
    fn constant(v: f64, q: usize) -> Self {
        Self { v, g: vec![0.0; q] }
    }
}

/// Evaluate `expr`; `env` maps names to duals.
pub(crate) fn eval(expr: &Expr, env: &HashMap<String, Dual>, q: usize) -> Dual {
    match expr {
        Expr::Num(v) => Dual::constant(*v, q),
        Expr::Param(p) => env.get(p).cloned().unwrap_or_else(|| Dual::constant(f64::NAN, q)),
        Expr::Neg(a) => {
            let a = eval(a, env, q);
            Dual { v: -a.v, g: a.g.iter().map(|x| -x).collect() }
        }
        Expr::Bin(op, a, b) => {
            let a = eval(a, env, q);
            let b = eval(b, env, q);
            let (v, da, db) = match op {
                BinOp::Add => (a.v + b.v, 1.0, 1.0),
                BinOp::Sub => (a.v - b.v, 1.0, -1.0),
                BinOp::Mul => (a.v * b.v, b.v, a.v),
                BinOp::Div => (a.v / b.v, 1.0 / b.v, -a.v / (b.v * b.v)),
                BinOp::Pow => {
                    let v = a.v.powf(b.v);
                    let da = b.v * a.v.powf(b.v - 1.0);
                    let db = if a.v > 0.0 { v * a.v.ln() } else { 0.0 };
                    (v, da, db)
                }
            };
            let g = a.g.iter().zip(b.g.iter()).map(|(x, y)| {
                let t1 = if *x == 0.0 { 0.0 } else { da * x };
                let t2 = if *y == 0.0 { 0.0 } else { db * y };
                t1 + t2
            });
            Dual { v, g: g.collect() }
        }
    }
}
