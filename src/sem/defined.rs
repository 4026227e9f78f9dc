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
///
/// Iterative (a post-order walk with an explicit stack of pending operations and a stack of
/// values), so that an expression tree of any depth built in code is safe.
pub(crate) fn eval(expr: &Expr, env: &HashMap<String, Dual>, q: usize) -> Dual {
    enum Step<'a> {
        Visit(&'a Expr),
        Neg,
        Bin(BinOp),
    }
    let mut work = vec![Step::Visit(expr)];
    let mut vals: Vec<Dual> = Vec::new();
    while let Some(step) = work.pop() {
        match step {
            Step::Visit(e) => match e {
                Expr::Num(v) => vals.push(Dual::constant(*v, q)),
                Expr::Param(p) => {
                    vals.push(env.get(p).cloned().unwrap_or_else(|| Dual::constant(f64::NAN, q)))
                }
                Expr::Neg(a) => {
                    work.push(Step::Neg);
                    work.push(Step::Visit(a));
                }
                Expr::Bin(op, a, b) => {
                    work.push(Step::Bin(*op));
                    work.push(Step::Visit(b));
                    work.push(Step::Visit(a));
                }
            },
            Step::Neg => {
                if let Some(a) = vals.last_mut() {
                    a.v = -a.v;
                    a.g.iter_mut().for_each(|x| *x = -*x);
                }
            }
            Step::Bin(op) => {
                let (Some(b), Some(a)) = (vals.pop(), vals.pop()) else {
                    return Dual::constant(f64::NAN, q);
                };
                vals.push(combine(op, a, b));
            }
        }
    }
    vals.pop().unwrap_or_else(|| Dual::constant(f64::NAN, q))
}

/// The value and gradient of `a op b`.
fn combine(op: BinOp, a: Dual, b: Dual) -> Dual {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expressions_deeper_than_the_parser_limit_print_and_evaluate() {
        // a thread with a 16 MB stack: the recursive printer and evaluator needed far more for
        // these depths; dropping the tree (small frames) still fits
        std::thread::Builder::new()
            .stack_size(16 << 20)
            .spawn(|| {
                let depth = 100_000;
                let mut e = Expr::Param("a".into());
                for k in 0..depth {
                    e = if k % 2 == 0 {
                        Expr::Neg(Box::new(e))
                    } else {
                        Expr::Bin(BinOp::Add, Box::new(e), Box::new(Expr::Num(1.0)))
                    };
                }
                let text = e.to_string();
                assert_eq!(text.matches('a').count(), 1);
                assert_eq!(e.labels(), vec!["a".to_string()]);
                let mut env = HashMap::new();
                env.insert("a".to_string(), Dual { v: 2.0, g: vec![1.0] });
                let d = eval(&e, &env, 1);
                // 50 000 negations (even: sign kept) around additions of 1 with alternating signs
                assert!(d.v.is_finite() && d.g[0].abs() == 1.0, "{} {:?}", d.v, d.g);
                // a small expression prints to text that parses back to the same tree
                let m = crate::sem::syntax::parse("x := (a + b)*c^2/-d - -(e^f)^g").unwrap();
                let again = crate::sem::syntax::parse(&m.to_string()).unwrap();
                assert_eq!(m, again, "{m}");
            })
            .unwrap()
            .join()
            .unwrap();
    }
}
