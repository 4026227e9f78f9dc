//! `surveystat sem`: fit a structural equation model written in lavaan syntax.

use clap::ValueEnum;
use serde_json::{Value, json};
use surveystat::sem::{
    BootstrapCi, Estimator, GroupEqual, Likelihood, MultiGroupSem, Sem, SemBootstrap,
    SemBootstrapFit, SemBootstrapKind, SemFit, SemMissing,
};

use crate::output::{json_text, num, opt, read_data};

/// Estimator choices.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum EstimatorArg {
    /// maximum likelihood
    Ml,
    /// generalized least squares
    Gls,
    /// unweighted least squares
    Uls,
}

/// Likelihood choices.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LikelihoodArg {
    /// S with divisor N (lavaan's default)
    Normal,
    /// S with divisor N - 1
    Wishart,
}

/// Missing-data handling.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum MissingArg {
    /// drop rows with any missing value on the model variables
    Listwise,
    /// full-information ML (lavaan missing = "ml"): mean structure, EM h1, observed information
    Fiml,
}

/// Parameters constrained equal across groups (lavaan `group.equal`).
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum GroupEqualArg {
    /// factor loadings (metric invariance)
    Loadings,
    /// regression coefficients
    Regressions,
    /// residual variances of observed variables
    Residuals,
    /// residual covariances of observed variables
    ResidualCovariances,
    /// latent (residual) variances
    LvVariances,
    /// latent covariances
    LvCovariances,
}

/// Bootstrap interval choices.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CiArg {
    /// percentile interval
    Perc,
    /// bias-corrected and accelerated interval (jackknife acceleration)
    Bca,
}

/// Bootstrap resampling choices.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum BootKindArg {
    /// ordinary nonparametric bootstrap
    Ordinary,
    /// Bollen-Stine bootstrap (p-value of the chi-square test)
    BollenStine,
}

/// Arguments of `surveystat sem`.
#[derive(Debug, clap::Args)]
pub struct SemArgs {
    /// CSV file with a header row
    #[arg(long)]
    pub data: String,
    /// file with the model in lavaan syntax
    #[arg(long)]
    pub model: String,
    /// estimator
    #[arg(long, value_enum, default_value = "ml")]
    pub estimator: EstimatorArg,
    /// fix latent variances to 1 instead of the first loadings
    #[arg(long)]
    pub std_lv: bool,
    /// ML likelihood convention
    #[arg(long, value_enum, default_value = "normal")]
    pub likelihood: LikelihoodArg,
    /// missing-data handling
    #[arg(long, value_enum, default_value = "listwise")]
    pub missing: MissingArg,
    /// print one JSON object instead of the readable summary
    #[arg(long)]
    pub json: bool,
    /// number of bootstrap replications (standard errors and intervals from the bootstrap)
    #[arg(long)]
    pub bootstrap: Option<usize>,
    /// seed of the bootstrap
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// bootstrap interval
    #[arg(long, value_enum, default_value = "perc")]
    pub ci: CiArg,
    /// bootstrap resampling scheme
    #[arg(long, value_enum, default_value = "ordinary")]
    pub bootstrap_kind: BootKindArg,
    /// grouping column: fit a multi-group model (lavaan `group =`)
    #[arg(long)]
    pub group: Option<String>,
    /// with --group: parameters equal across groups, comma-separated (lavaan `group.equal`)
    #[arg(long, value_enum, value_delimiter = ',', requires = "group")]
    pub group_equal: Vec<GroupEqualArg>,
}

/// Run the subcommand.
pub fn run(a: SemArgs) -> Result<String, String> {
    let text =
        std::fs::read_to_string(&a.model).map_err(|e| format!("cannot read {}: {e}", a.model))?;
    let data = read_data(&a.data)?;
    let sem = Sem::from_syntax(&text)
        .map_err(|e| format!("{}: {e}", a.model))?
        .estimator(match a.estimator {
            EstimatorArg::Ml => Estimator::Ml,
            EstimatorArg::Gls => Estimator::Gls,
            EstimatorArg::Uls => Estimator::Uls,
        })
        .likelihood(match a.likelihood {
            LikelihoodArg::Normal => Likelihood::Normal,
            LikelihoodArg::Wishart => Likelihood::Wishart,
        })
        .std_lv(a.std_lv)
        .missing(match a.missing {
            MissingArg::Listwise => SemMissing::Listwise,
            MissingArg::Fiml => SemMissing::Fiml,
        });
    if matches!(a.missing, MissingArg::Fiml) && a.bootstrap.is_some() {
        return Err("--bootstrap with --missing fiml is not supported yet".into());
    }
    if let Some(g) = &a.group {
        if a.bootstrap.is_some() {
            return Err("--bootstrap with --group is not supported yet".into());
        }
        let equal = a.group_equal.iter().map(|e| match e {
            GroupEqualArg::Loadings => GroupEqual::Loadings,
            GroupEqualArg::Regressions => GroupEqual::Regressions,
            GroupEqualArg::Residuals => GroupEqual::Residuals,
            GroupEqualArg::ResidualCovariances => GroupEqual::ResidualCovariances,
            GroupEqualArg::LvVariances => GroupEqual::LvVariances,
            GroupEqualArg::LvCovariances => GroupEqual::LvCovariances,
        });
        let fit = MultiGroupSem::new(sem, g)
            .equal(equal)
            .fit(&data)
            .map_err(|e| format!("{}: {e}", a.data))?;
        return if a.json {
            Ok(json_text(&Value::Object(surveystat::study::json::multigroup(&fit))))
        } else {
            Ok(fit.to_string())
        };
    }
    let fit = sem.fit(&data).map_err(|e| format!("{}: {e}", a.data))?;
    if let Some(reps) = a.bootstrap {
        let cfg = SemBootstrap::new(reps)
            .seed(a.seed)
            .ci(match a.ci {
                CiArg::Perc => BootstrapCi::Percentile,
                CiArg::Bca => BootstrapCi::Bca,
            })
            .kind(match a.bootstrap_kind {
                BootKindArg::Ordinary => SemBootstrapKind::Ordinary,
                BootKindArg::BollenStine => SemBootstrapKind::BollenStine,
            })
            .jackknife(matches!(a.ci, CiArg::Bca));
        let boot = fit.bootstrap(&data, &cfg).map_err(|e| format!("{}: {e}", a.data))?;
        let bfit = fit.with_bootstrap(&boot).map_err(|e| e.to_string())?;
        if a.json {
            let mut doc = to_json(&bfit);
            if let Value::Object(m) = &mut doc {
                m.insert("bootstrap".into(), bootstrap_json(&boot));
            }
            return Ok(json_text(&doc));
        }
        return Ok(format!("{bfit}\n{boot}"));
    }
    if a.json { Ok(json_text(&to_json(&fit))) } else { Ok(fit.to_string()) }
}

/// The JSON document of a bootstrap (deterministic for a seed).
pub fn bootstrap_json(b: &SemBootstrapFit) -> Value {
    let se = b.se();
    let perc = b.percentile(b.config_level());
    let bca = b.bca(b.config_level());
    let rows: Vec<Value> = b
        .names()
        .iter()
        .enumerate()
        .map(|(j, n)| {
            json!({
                "name": n, "est": num(b.estimate()[j]), "se": num(se[j]),
                "perc_lower": opt(perc[j].map(|i| i.lower)), "perc_upper": opt(perc[j].map(|i| i.upper)),
                "bca_lower": opt(bca[j].map(|i| i.lower)), "bca_upper": opt(bca[j].map(|i| i.upper)),
            })
        })
        .collect();
    json!({
        "replications": b.n_requested(),
        "used": b.n_used(),
        "nonconverged": b.n_nonconverged(),
        "failed_other": b.n_errors(),
        "inadmissible": b.n_inadmissible(),
        "level": num(b.config_level()),
        "bollen_stine_pvalue": opt(b.bollen_stine_pvalue()),
        "parameters": rows,
    })
}

/// The JSON document of a fit (field names as in DESIGN.md; deterministic): the library's
/// builder, shared with `surveystat study`.
pub fn to_json(fit: &SemFit) -> Value {
    Value::Object(surveystat::study::json::sem(fit))
}
