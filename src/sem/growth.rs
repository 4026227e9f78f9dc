//! lavaan's `growth()`: latent growth curve models with its defaults.
//!
//! `growth()` is `sem()` with a mean structure in which the intercepts of the observed
//! (non-exogenous) variables are fixed at 0 (`int.ov.free = FALSE`) and the means (or
//! intercepts) of the latent variables are free (`int.lv.free = TRUE`); every other default is
//! `sem()`'s (marker loadings, residual variances, covariances of exogenous latent variables,
//! `fixed.x = TRUE` with the covariates' means at their sample values). Here the defaults are
//! written into the model as statements — `t ~ 0*1` for each observed variable and `f ~ 1` for
//! each latent variable without an intercept statement of its own — so every estimation path
//! (complete data, FIML, multiple groups, the bootstrap) fits the same table.

use super::Sem;
use super::partable::{ParTable, TableOptions};
use super::syntax::{self, ModelSyntax, Modifier, Op, Statement, Term};
use crate::error::Result;

impl Sem {
    /// A growth model with lavaan's `growth()` defaults (observed intercepts fixed at 0,
    /// latent means free, a mean structure).
    ///
    /// # Examples
    /// ```
    /// use surveystat::sem::Sem;
    /// let sem = Sem::growth("i =~ 1*t1 + 1*t2 + 1*t3\ns =~ 0*t1 + 1*t2 + 2*t3").unwrap();
    /// let text = sem.model().to_string();
    /// assert!(text.contains("t1 ~ 0*1") && text.contains("s ~ 1"));
    /// ```
    ///
    /// # Errors
    /// [`crate::Error::Syntax`] for malformed syntax; errors of the parameter table (e.g. a
    /// latent variable without indicators).
    pub fn growth(model: &str) -> Result<Sem> {
        Sem::growth_model(syntax::parse(model)?)
    }

    /// [`Sem::growth`] of an already parsed model.
    ///
    /// # Errors
    /// As [`Sem::growth`].
    pub fn growth_model(model: ModelSyntax) -> Result<Sem> {
        Ok(Sem::from_model(growth_syntax(model)?))
    }
}

/// The model with `growth()`'s intercept statements added.
pub(crate) fn growth_syntax(mut model: ModelSyntax) -> Result<ModelSyntax> {
    // the table of the first group, without defined parameters (which may use the labels of
    // other groups), tells the variables apart
    let mut probe = model.first_group();
    probe.statements.retain(|s| matches!(s, Statement::Relation { .. }));
    let pt = ParTable::build(
        &probe,
        TableOptions { std_lv: false, fixed_x: true, meanstructure: true },
    )?;
    let has_user_int =
        |v: &str| pt.rows.iter().any(|r| r.op == Op::Intercept && r.lhs == v && r.user);
    let intercept = |v: &str, modifiers: Vec<Modifier>| Statement::Relation {
        lhs: vec![v.to_string()],
        op: Op::Regression,
        rhs: vec![Term { modifiers, var: "1".into() }],
    };
    for v in pt.ov.iter().filter(|v| !pt.ov_x.contains(v) && !has_user_int(v)) {
        model.statements.push(intercept(v, vec![Modifier::Fixed(0.0)]));
    }
    for f in pt.lv.iter().filter(|f| !has_user_int(f)) {
        model.statements.push(intercept(f, Vec::new()));
    }
    Ok(model)
}
