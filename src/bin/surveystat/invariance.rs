//! `surveystat invariance`: the measurement-invariance ladder (configural → metric → ...) of a
//! model across the groups of a column, with the χ² difference tests, the changes in CFI and
//! RMSEA and the usual decision rules; optionally the score tests of each step's constraints.

use surveystat::sem::{Invariance, InvarianceReport, PartialRule, Sem};

use crate::output::{read_data, serialized};

/// Arguments of `surveystat invariance`.
#[derive(Debug, clap::Args)]
pub struct InvarianceArgs {
    /// CSV file with a header row
    #[arg(long)]
    pub data: String,
    /// file with the model in lavaan syntax
    #[arg(long)]
    pub model: String,
    /// grouping column
    #[arg(long)]
    pub group: String,
    /// significance level of the chi-square difference tests
    #[arg(long, default_value_t = 0.05)]
    pub alpha: f64,
    /// also report the score tests of each constrained step's equality constraints (lavaan's
    /// lavTestScore)
    #[arg(long)]
    pub score: bool,
    /// partial-invariance search: from the first rejected step, free the equality constraint
    /// with the largest score statistic (group.partial), refit, and repeat until the step is
    /// accepted; latent means then come from the accepted partial model
    #[arg(long)]
    pub partial: bool,
    /// decision rule of the partial search: lrt (chi-square difference test at --alpha) or cfi
    /// (cfi.delta >= -0.01)
    #[arg(long, value_name = "RULE", default_value = "lrt", requires = "partial")]
    pub partial_rule: String,
    /// print one JSON object instead of the readable table
    #[arg(long)]
    pub json: bool,
    /// estimator (default ml); with mlm, mlr or mlmv the steps are compared by lavaan's scaled
    /// chi-square difference tests and the robust CFI/TLI/RMSEA; with ordered indicators wlsmv
    /// (default), ulsmv, dwls, wls or uls
    #[arg(long, value_enum)]
    pub estimator: Option<crate::sem::EstimatorArg>,
    /// ordered-categorical observed variables, comma-separated (lavaan `ordered =`): the ladder
    /// is configural → thresholds → loadings, fitted by WLSMV unless --estimator says otherwise
    #[arg(long, value_delimiter = ',', conflicts_with = "ordered_all")]
    pub ordered: Vec<String>,
    /// every observed variable of the model is ordered-categorical
    #[arg(long)]
    pub ordered_all: bool,
    /// with ordered indicators: scaling of the latent responses (lavaan `parameterization`;
    /// theta frees the residual variances of y* after the first group once the thresholds are
    /// equal)
    #[arg(long, value_enum, default_value = "delta")]
    pub parameterization: crate::sem::ParameterizationArg,
}

/// Run the subcommand.
pub fn run(a: InvarianceArgs) -> Result<String, String> {
    let text =
        std::fs::read_to_string(&a.model).map_err(|e| format!("cannot read {}: {e}", a.model))?;
    let mut sem = Sem::from_syntax(&text).map_err(|e| format!("{}: {e}", a.model))?;
    if let Some(e) = a.estimator {
        sem = sem.estimator(e.into());
    }
    if a.ordered_all {
        sem = sem.ordered_all();
    } else if !a.ordered.is_empty() {
        sem = sem.ordered(&a.ordered);
    }
    if matches!(a.parameterization, crate::sem::ParameterizationArg::Theta) {
        sem = sem.parameterization(surveystat::sem::Parameterization::Theta);
    }
    let data = read_data(&a.data)?;
    let rule = match a.partial_rule.as_str() {
        "lrt" => PartialRule::Lrt,
        "cfi" => PartialRule::DeltaCfi,
        other => return Err(format!("unknown --partial-rule `{other}` (expected lrt or cfi)")),
    };
    let inv = Invariance::new(sem, a.group.clone()).alpha(a.alpha);
    let fit = inv.fit(&data).map_err(|e| format!("{}: {e}", a.data))?;
    let mut report = InvarianceReport::new(&fit).map_err(|e| format!("{}: {e}", a.data))?;
    if a.score {
        report = report.score_tests();
    }
    if a.partial {
        report =
            report.partial_search(&inv, &data, rule).map_err(|e| format!("{}: {e}", a.data))?;
    }
    if a.json { serialized(&report, serde_json::json!({}), &[]) } else { Ok(report.to_string()) }
}
