//! `surveystat glm`: generalized linear models (binomial logit/probit, Poisson log) by IRLS, as
//! `summary(glm())`.

use surveystat::regression::{Glm, GlmFamily, GlmReport};

use crate::output::{in_file, read_data, serialized};

/// Response distribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Family {
    /// 0/1 outcomes (logistic or probit regression)
    Binomial,
    /// Counts
    Poisson,
}

/// Link function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Link {
    /// log(μ/(1 − μ)) (binomial default)
    Logit,
    /// Φ⁻¹(μ)
    Probit,
    /// log(μ) (Poisson default)
    Log,
}

/// Arguments of `surveystat glm`.
#[derive(Debug, clap::Args)]
pub struct GlmArgs {
    /// CSV file with a header row
    #[arg(long)]
    pub data: String,
    /// Model formula, e.g. "y ~ x1 + factor(g)"
    #[arg(long)]
    pub formula: String,
    /// Response distribution
    #[arg(long, value_enum)]
    pub family: Family,
    /// Link function (default: logit for binomial, log for Poisson)
    #[arg(long, value_enum)]
    pub link: Option<Link>,
    /// Level of the Wald intervals
    #[arg(long, default_value_t = 0.95)]
    pub ci_level: f64,
    /// Skip the likelihood-ratio test of each term (one refit per term)
    #[arg(long)]
    pub no_lr_tests: bool,
    /// Also profile-likelihood intervals at the --ci-level (R's confint() on a glm): one
    /// IRLS refit per profile point
    #[arg(long)]
    pub profile_ci: bool,
    /// Print one JSON object instead of the text summary
    #[arg(long)]
    pub json: bool,
}

/// Run the subcommand.
pub fn run(a: GlmArgs) -> Result<String, String> {
    let fam = match (a.family, a.link) {
        (Family::Binomial, None | Some(Link::Logit)) => GlmFamily::BinomialLogit,
        (Family::Binomial, Some(Link::Probit)) => GlmFamily::BinomialProbit,
        (Family::Poisson, None | Some(Link::Log)) => GlmFamily::PoissonLog,
        (f, Some(l)) => return Err(format!("link {l:?} is not available for family {f:?}")),
    };
    let ds = read_data(&a.data)?;
    let fit = Glm::from_formula(&a.formula, fam)
        .map_err(|e| format!("formula `{}`: {e}", a.formula))?
        .ci_level(a.ci_level)
        .fit_dataset(&ds)
        .map_err(in_file(&a.data))?;
    let lr = if a.no_lr_tests { Vec::new() } else { fit.lr_tests().map_err(in_file(&a.data))? };
    let prof = if a.profile_ci {
        Some(fit.confint_profile(a.ci_level).map_err(in_file(&a.data))?)
    } else {
        None
    };
    if a.json {
        let mut report = GlmReport::new(&fit).lr_tests(lr);
        if let Some(p) = prof {
            report = report.profile(p);
        }
        return serialized(&report, serde_json::json!({}), &[]);
    }
    let (family, link) = fam.names();
    let (e, lo, hi) = fit.exp_coefficients();
    let ratio = if fam == GlmFamily::PoissonLog { "rate ratio" } else { "odds ratio" };
    let mut out =
        format!("Call:\nglm(formula = {}, family = {family}(link = \"{link}\"))\n\n", a.formula);
    out.push_str(&format!(
        "{:<24} {:>12} {:>12} {:>9} {:>10} {:>12} {:>12} {:>12}\n",
        "", "Estimate", "Std. Error", "z value", "Pr(>|z|)", ratio, "lower", "upper"
    ));
    for k in 0..fit.terms().len() {
        let show_ratio = fam != GlmFamily::BinomialProbit;
        out.push_str(&format!(
            "{:<24} {:>12.6} {:>12.6} {:>9.3} {:>10.3e} {:>12} {:>12} {:>12}\n",
            fit.terms()[k],
            fit.coefficients()[k],
            fit.std_errors()[k],
            fit.z_values()[k],
            fit.p_values()[k],
            if show_ratio { format!("{:.4}", e[k]) } else { "-".into() },
            if show_ratio { format!("{:.4}", lo[k]) } else { "-".into() },
            if show_ratio { format!("{:.4}", hi[k]) } else { "-".into() },
        ));
    }
    out.push_str(&format!(
        "\n(Wald {:.0} % intervals, exponentiated for the ratios)\n    Null deviance: {:.4} on {} degrees of freedom\nResidual deviance: {:.4} on {} degrees of freedom\nAIC: {:.4}   BIC: {:.4}\nNumber of IRLS iterations: {}\n",
        fit.ci_level() * 100.0,
        fit.null_deviance(),
        fit.df_null(),
        fit.deviance(),
        fit.df_residual(),
        fit.aic(),
        fit.bic(),
        fit.iterations()
    ));
    if !lr.is_empty() {
        out.push_str("\nLikelihood-ratio tests (drop1):\n");
        for r in &lr {
            out.push_str(&format!(
                "  {:<22} df {:>3}  LR {:>10.4}  p {:.4e}\n",
                r.term, r.df, r.statistic, r.p_value
            ));
        }
    }
    if let Some(p) = &prof {
        out.push_str(&format!(
            "\nProfile-likelihood {:.0} % intervals (exact roots of the signed root statistic):\n",
            p.level * 100.0
        ));
        let show = |v: Option<f64>| v.map_or_else(|| "NA".to_string(), |x| format!("{x:.6}"));
        for iv in &p.intervals {
            out.push_str(&format!(
                "  {:<22} {:>14} {:>14}\n",
                iv.term,
                show(iv.lower),
                show(iv.upper)
            ));
        }
    }
    for w in fit.warnings().iter().chain(prof.iter().flat_map(|p| p.warnings.iter())) {
        out.push_str(&format!("Warning: {w}\n"));
    }
    Ok(out)
}
