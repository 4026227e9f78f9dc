//! Parameter table: the user's statements completed with lavaan's `cfa()`/`sem()` defaults.

use std::collections::HashMap;

use super::syntax::{ConstraintOp, Expr, ModelSyntax, Modifier, Op, Statement};
use crate::error::{Error, Result};

/// One row of the parameter table.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ParRow {
    /// Left-hand side.
    pub lhs: String,
    /// Operator.
    pub op: Op,
    /// Right-hand side.
    pub rhs: String,
    /// Label (empty if none).
    pub label: String,
    /// Written by the user (`true`) or added by a default (`false`).
    pub user: bool,
    /// Fixed value, if the parameter is fixed (`None` = free). Fixed-x rows are fixed to the
    /// sample (co)variance when the model is fitted.
    pub fixed: Option<f64>,
    /// User starting value.
    pub start: Option<f64>,
    /// A (co)variance of exogenous observed covariates fixed at its sample value (`fixed.x`).
    pub exo: bool,
    /// Index of the free parameter (0-based) this row maps to; `None` if fixed. Rows sharing a
    /// label share the index (equality constraint).
    pub free: Option<usize>,
}

/// Options that shape the defaults of the parameter table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TableOptions {
    pub std_lv: bool,
    pub fixed_x: bool,
    /// Add a mean structure (free observed intercepts, latent means fixed at 0), as lavaan's
    /// `meanstructure = TRUE` (implied by `missing = "ml"` and by any `~ 1` in the syntax).
    pub meanstructure: bool,
}

/// The completed parameter table.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ParTable {
    pub rows: Vec<ParRow>,
    /// Defined parameters in order.
    pub defined: Vec<(String, Expr)>,
    /// Observed variables (lavaan's order: non-exogenous by first appearance, then exogenous x).
    pub ov: Vec<String>,
    /// Latent variables by first appearance.
    pub lv: Vec<String>,
    /// Exogenous observed covariates whose (co)variances are fixed (fixed.x).
    pub ov_x: Vec<String>,
    /// Number of free (unique) parameters.
    pub npar: usize,
    /// The table has a mean structure (`~1` rows for every observed and latent variable).
    pub meanstructure: bool,
    /// Explicit constraint rows (`==`, `<`, `>`) in the order written.
    pub constraints: Vec<ConRow>,
}

/// An explicit constraint row of the parameter table (lavaan's rows with op `==`, `<`, `>`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ConRow {
    pub lhs: Expr,
    pub op: ConstraintOp,
    pub rhs: Expr,
}

fn push_unique(v: &mut Vec<String>, s: &str) {
    if !v.iter().any(|x| x == s) {
        v.push(s.to_string());
    }
}

impl ParTable {
    pub(crate) fn build(model: &ModelSyntax, opts: TableOptions) -> Result<Self> {
        refuse_thresholds(model)?;
        // ---- collect user relations
        let mut rows: Vec<ParRow> = Vec::new();
        let mut defined: Vec<(String, Expr)> = Vec::new();
        let mut constraints: Vec<ConRow> = Vec::new();
        let mut lv: Vec<String> = Vec::new();
        for s in &model.statements {
            if let Statement::Relation { lhs, op: Op::Loading, .. } = s {
                for l in lhs {
                    push_unique(&mut lv, l);
                }
            }
        }
        let mut appearance: Vec<String> = Vec::new();
        for s in &model.statements {
            match s {
                Statement::Relation { lhs, op, rhs } => {
                    for l in lhs {
                        for t in rhs {
                            let intercept = t.var == "1";
                            if intercept && *op != Op::Regression {
                                return Err(Error::invalid(
                                    "model",
                                    format!(
                                        "`{l} {op} 1`: a constant is only allowed as `{l} ~ 1`"
                                    ),
                                ));
                            }
                            if *op == Op::Regression && t.var == *l {
                                return Err(Error::invalid(
                                    "model",
                                    format!(
                                        "`{l} ~ {l}`: a variable cannot be regressed on itself"
                                    ),
                                ));
                            }
                            let mut row = ParRow {
                                lhs: l.clone(),
                                op: if intercept { Op::Intercept } else { *op },
                                rhs: if intercept { String::new() } else { t.var.clone() },
                                label: String::new(),
                                user: true,
                                fixed: None,
                                start: None,
                                exo: false,
                                free: None,
                            };
                            let mut explicit_free = false;
                            for m in &t.modifiers {
                                // a one-element `c()` applies to every group
                                let m = match m {
                                    Modifier::PerGroup(v) if v.len() == 1 => &v[0],
                                    other => other,
                                };
                                match m {
                                    Modifier::Fixed(v) => {
                                        row.fixed = Some(*v);
                                        explicit_free = false;
                                    }
                                    Modifier::Free => {
                                        row.fixed = None;
                                        explicit_free = true;
                                    }
                                    Modifier::Label(lab) => row.label = lab.clone(),
                                    Modifier::Start(v) => row.start = Some(*v),
                                    Modifier::PerGroup(v) => {
                                        return Err(Error::DimensionMismatch {
                                            what: format!(
                                                "elements of the per-group modifier `{m}` of `{l} {op} {}` and groups of the model",
                                                t.var
                                            ),
                                            expected: 1,
                                            found: v.len(),
                                        });
                                    }
                                }
                            }
                            // remember explicit NA in `start` channel: encode via user flag below
                            if explicit_free {
                                row.start = row.start.or(Some(f64::NAN));
                            }
                            if rows.iter().any(|r| same_param(r, &row)) {
                                return Err(Error::invalid(
                                    "model",
                                    format!(
                                        "parameter `{} {} {}` is specified twice",
                                        row.lhs, row.op, row.rhs
                                    ),
                                ));
                            }
                            rows.push(row);
                            if *op != Op::Loading {
                                push_unique(&mut appearance, l);
                            }
                            if !intercept {
                                push_unique(&mut appearance, &t.var);
                            }
                        }
                    }
                }
                Statement::Defined { name, expr } => {
                    if defined.iter().any(|(n, _)| n == name) {
                        return Err(Error::invalid(
                            "model",
                            format!("defined parameter `{name}` is defined twice"),
                        ));
                    }
                    defined.push((name.clone(), expr.clone()));
                }
                Statement::Constraint { lhs, op, rhs } => {
                    constraints.push(ConRow { lhs: lhs.clone(), op: *op, rhs: rhs.clone() })
                }
            }
        }
        if rows.is_empty() {
            return Err(Error::invalid("model", "the model has no =~, ~ or ~~ statement"));
        }
        let is_lv = |s: &str| lv.iter().any(|x| x == s);
        // ---- classify variables
        let mut ov_all: Vec<String> = Vec::new();
        for s in &appearance {
            if !is_lv(s) {
                push_unique(&mut ov_all, s);
            }
        }
        let in_rows = |pred: &dyn Fn(&ParRow) -> bool| -> Vec<String> {
            let mut v = Vec::new();
            for r in &rows {
                if pred(r) {
                    push_unique(&mut v, &r.lhs);
                }
            }
            v
        };
        let reg_lhs = in_rows(&|r| r.op == Op::Regression);
        let mut reg_rhs = Vec::new();
        let mut indicators = Vec::new();
        let mut cov_user = Vec::new();
        for r in &rows {
            match r.op {
                Op::Regression => push_unique(&mut reg_rhs, &r.rhs),
                Op::Loading => push_unique(&mut indicators, &r.rhs),
                Op::Covariance => {
                    push_unique(&mut cov_user, &r.lhs);
                    push_unique(&mut cov_user, &r.rhs);
                }
                Op::Intercept | Op::Threshold => {}
            }
        }
        let has = |v: &Vec<String>, s: &str| v.iter().any(|x| x == s);
        // observed exogenous covariates: predictors only, not indicators, not user (co)varied
        let ov_x_cand: Vec<String> = ov_all
            .iter()
            .filter(|s| {
                has(&reg_rhs, s) && !has(&reg_lhs, s) && !has(&indicators, s) && !has(&cov_user, s)
            })
            .cloned()
            .collect();
        let ov_x: Vec<String> = if opts.fixed_x { ov_x_cand.clone() } else { Vec::new() };
        let mut ov: Vec<String> = ov_all.iter().filter(|s| !has(&ov_x, s)).cloned().collect();
        ov.extend(ov_x.iter().cloned());

        // ---- defaults
        let exists = |rows: &Vec<ParRow>, a: &str, b: &str| {
            rows.iter().any(|r| {
                r.op == Op::Covariance && ((r.lhs == a && r.rhs == b) || (r.lhs == b && r.rhs == a))
            })
        };
        // markers / std.lv
        for f in &lv {
            let first = rows.iter().position(|r| r.op == Op::Loading && r.lhs == *f);
            if let Some(k) = first
                && !opts.std_lv
                && rows[k].fixed.is_none()
                && !rows[k].start.is_some_and(f64::is_nan)
            {
                rows[k].fixed = Some(1.0);
            }
        }
        let mut added: Vec<ParRow> = Vec::new();
        let new_row = |lhs: &str, rhs: &str, fixed: Option<f64>, exo: bool| ParRow {
            lhs: lhs.to_string(),
            op: Op::Covariance,
            rhs: rhs.to_string(),
            label: String::new(),
            user: false,
            fixed,
            start: None,
            exo,
            free: None,
        };
        // residual variances of observed (non-x) variables
        for v in ov.iter().filter(|s| !has(&ov_x, s)) {
            if !exists(&rows, v, v) && !exists(&added, v, v) {
                // auto.fix.single: sole indicator of a latent variable
                let single = rows.iter().any(|r| {
                    r.op == Op::Loading
                        && r.rhs == *v
                        && rows.iter().filter(|q| q.op == Op::Loading && q.lhs == r.lhs).count()
                            == 1
                });
                added.push(new_row(v, v, if single { Some(0.0) } else { None }, false));
            }
        }
        // latent variances
        for f in &lv {
            if !exists(&rows, f, f) {
                added.push(new_row(f, f, if opts.std_lv { Some(1.0) } else { None }, false));
            }
        }
        // covariances among exogenous latent variables
        let lv_x: Vec<&String> =
            lv.iter().filter(|f| !has(&reg_lhs, f) && !has(&indicators, f)).collect();
        for (a, fa) in lv_x.iter().enumerate() {
            for fb in lv_x.iter().skip(a + 1) {
                if !exists(&rows, fa, fb) {
                    added.push(new_row(fa, fb, None, false));
                }
            }
        }
        // covariances among pure dependent variables (auto.cov.y)
        let pure_y: Vec<String> = reg_lhs
            .iter()
            .filter(|s| !has(&reg_rhs, s) && (!has(&indicators, s) || is_lv(s)))
            .cloned()
            .collect();
        for (a, ya) in pure_y.iter().enumerate() {
            for yb in pure_y.iter().skip(a + 1) {
                if !exists(&rows, ya, yb) && !exists(&added, ya, yb) {
                    added.push(new_row(ya, yb, None, false));
                }
            }
        }
        // exogenous covariates: fixed (fixed.x) or free (co)variances
        let xs = if opts.fixed_x { &ov_x } else { &ov_x_cand };
        for (a, xa) in xs.iter().enumerate() {
            for xb in xs.iter().skip(a) {
                if !exists(&rows, xa, xb) && !exists(&added, xa, xb) {
                    added.push(new_row(
                        xa,
                        xb,
                        if opts.fixed_x { Some(f64::NAN) } else { None },
                        opts.fixed_x,
                    ));
                }
            }
        }
        // mean structure: intercepts of observed variables free, latent means fixed at 0
        let meanstructure = opts.meanstructure || rows.iter().any(|r| r.op == Op::Intercept);
        if meanstructure {
            let has_int = |rows: &Vec<ParRow>, v: &str| {
                rows.iter().any(|r| r.op == Op::Intercept && r.lhs == v)
            };
            for v in &ov {
                if !has_int(&rows, v) {
                    let exo = has(&ov_x, v);
                    added.push(ParRow {
                        lhs: v.clone(),
                        op: Op::Intercept,
                        rhs: String::new(),
                        label: String::new(),
                        user: false,
                        fixed: if exo { Some(f64::NAN) } else { None },
                        start: None,
                        exo,
                        free: None,
                    });
                }
            }
            for f in &lv {
                if !has_int(&rows, f) {
                    added.push(ParRow {
                        lhs: f.clone(),
                        op: Op::Intercept,
                        rhs: String::new(),
                        label: String::new(),
                        user: false,
                        fixed: Some(0.0),
                        start: None,
                        exo: false,
                        free: None,
                    });
                }
            }
        }
        rows.extend(added);
        // clear the explicit-free marker kept in `start`
        for r in &mut rows {
            if r.start.is_some_and(f64::is_nan) {
                r.start = None;
            }
        }

        // ---- free parameter indices, labels = equality constraints
        // a label shared with a fixed row fixes every row carrying it
        let mut label_fixed: HashMap<String, f64> = HashMap::new();
        for r in &rows {
            if !r.label.is_empty()
                && let Some(v) = r.fixed
            {
                label_fixed.entry(r.label.clone()).or_insert(v);
            }
        }
        let mut label_index: HashMap<String, usize> = HashMap::new();
        let mut npar = 0usize;
        for r in &mut rows {
            if !r.label.is_empty()
                && let Some(v) = label_fixed.get(&r.label)
            {
                r.fixed = Some(*v);
            }
            if r.fixed.is_some() {
                continue;
            }
            if !r.label.is_empty() {
                if let Some(&k) = label_index.get(&r.label) {
                    r.free = Some(k);
                    continue;
                }
                label_index.insert(r.label.clone(), npar);
            }
            r.free = Some(npar);
            npar += 1;
        }
        // labels must not collide with variable names used differently, defined names must be new
        for (name, expr) in &defined {
            if rows.iter().any(|r| r.label == *name) || is_lv(name) || has(&ov, name) {
                return Err(Error::invalid(
                    "model",
                    format!("defined parameter `{name}` reuses the name of a label or variable"),
                ));
            }
            let known_before: Vec<&String> =
                defined.iter().take_while(|(n, _)| n != name).map(|(n, _)| n).collect();
            for l in expr.labels() {
                if !rows.iter().any(|r| r.label == l) && !known_before.contains(&&l) {
                    return Err(Error::invalid(
                        "model",
                        format!(
                            "defined parameter `{name}` uses `{l}`, which is not a parameter label"
                        ),
                    ));
                }
            }
        }
        super::constraints::check_labels(&rows, &defined, &constraints)?;
        // a latent variable needs indicators or must be identified through regressions
        for f in &lv {
            if !rows.iter().any(|r| r.op == Op::Loading && r.lhs == *f) {
                return Err(Error::NotIdentified {
                    reason: format!("latent variable `{f}` has no indicators"),
                });
            }
        }
        Ok(Self { rows, defined, ov, lv, ov_x, npar, meanstructure, constraints })
    }
}

fn same_param(a: &ParRow, b: &ParRow) -> bool {
    a.op == b.op
        && ((a.lhs == b.lhs && a.rhs == b.rhs)
            || (a.op == Op::Covariance && a.lhs == b.rhs && a.rhs == b.lhs))
}

/// Thresholds (`x | t1 + t2`) belong to ordered variables, which the ordinal estimation handles
/// (it builds the table of the covariance part without them); anywhere else they are an error.
fn refuse_thresholds(model: &ModelSyntax) -> Result<()> {
    for s in &model.statements {
        if let Statement::Relation { lhs, op: Op::Threshold, .. } = s {
            return Err(Error::invalid(
                "model",
                format!(
                    "thresholds (`{} | ...`) need the variable declared ordered (Sem::ordered, --ordered)",
                    lhs.join(" + ")
                ),
            ));
        }
    }
    Ok(())
}

/// The model without its threshold statements (the covariance part of an ordinal model) and the
/// threshold statements by variable, in the order written.
pub(crate) fn split_thresholds(
    model: &ModelSyntax,
) -> (ModelSyntax, Vec<(String, Vec<super::syntax::Term>)>) {
    let mut rest = Vec::with_capacity(model.statements.len());
    let mut thr: Vec<(String, Vec<super::syntax::Term>)> = Vec::new();
    for s in &model.statements {
        match s {
            Statement::Relation { lhs, op: Op::Threshold, rhs } => {
                for l in lhs {
                    match thr.iter_mut().find(|(v, _)| v == l) {
                        Some((_, terms)) => terms.extend(rhs.iter().cloned()),
                        None => thr.push((l.clone(), rhs.clone())),
                    }
                }
            }
            other => rest.push(other.clone()),
        }
    }
    (ModelSyntax { statements: rest }, thr)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sem::syntax::parse;

    #[test]
    fn hs_defaults() {
        let m = parse("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9")
            .unwrap();
        let t = ParTable::build(
            &m,
            TableOptions { std_lv: false, fixed_x: true, meanstructure: false },
        )
        .unwrap();
        assert_eq!(t.npar, 21);
        assert_eq!(t.rows.len(), 24);
    }

    #[test]
    fn mediation_fixed_x() {
        let m = parse("x9 ~ c*x1 + b*x5; x5 ~ a*x1").unwrap();
        let t = ParTable::build(
            &m,
            TableOptions { std_lv: false, fixed_x: true, meanstructure: false },
        )
        .unwrap();
        assert_eq!(t.ov, vec!["x9", "x5", "x1"]);
        assert_eq!(t.npar, 5);
    }
}
