//! `surveystat sem`: fit a structural equation model written in lavaan syntax.

use clap::ValueEnum;
use ndarray::Array2;
use serde_json::json;
use surveystat::sem::{
    BootstrapCi, Estimator, GroupEqual, Likelihood, ModIndex, MultiGroupSem, Sem, SemBootstrap,
    SemBootstrapKind, SemFit, SemMissing, SemReport,
};

use crate::output::{in_file, read_data, serialized, stream_data, use_stream};

/// Estimator choices.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum EstimatorArg {
    /// maximum likelihood
    Ml,
    /// generalized least squares
    Gls,
    /// unweighted least squares
    Uls,
    /// ML with Huber-White SEs and the Yuan-Bentler scaled test (lavaan's MLR)
    Mlr,
    /// ML with robust SEs and the Satorra-Bentler scaled test (lavaan's MLM)
    Mlm,
    /// ML with robust SEs and the mean-and-variance adjusted test (lavaan's MLMV)
    Mlmv,
    /// diagonally weighted least squares (ordered indicators)
    Dwls,
    /// weighted least squares, full weight matrix (ordered indicators)
    Wls,
    /// DWLS with robust SEs and the mean-and-variance adjusted test (ordered indicators)
    Wlsmv,
    /// ULS with robust SEs and the mean-and-variance adjusted test (ordered indicators)
    Ulsmv,
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
    /// intercepts of observed variables (scalar invariance)
    Intercepts,
    /// latent means
    Means,
    /// thresholds of ordered indicators
    Thresholds,
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
    #[arg(long, required_unless_present = "cov", conflicts_with = "cov")]
    pub data: Option<String>,
    /// covariance matrix (divisor N - 1, as R's cov()) instead of raw data: a CSV with a header
    /// row of variable names and optionally a first column of row names (lavaan `sample.cov`)
    #[arg(long, requires = "n_obs")]
    pub cov: Option<String>,
    /// with --cov: the number of observations behind the covariance matrix (lavaan `sample.nobs`)
    #[arg(long, requires = "cov")]
    pub n_obs: Option<usize>,
    /// also report modification indices: the N largest, or every one (lavaan's modindices()
    /// defaults: all rows, minimum value 0) without N
    #[arg(long, num_args = 0..=1, default_missing_value = "0", value_name = "N")]
    pub modindices: Option<usize>,
    /// file with the model in lavaan syntax
    #[arg(long)]
    pub model: String,
    /// estimator (default ml; wlsmv with ordered indicators)
    #[arg(long, value_enum)]
    pub estimator: Option<EstimatorArg>,
    /// ordered-categorical observed variables, comma-separated (lavaan `ordered =`): fitted to
    /// thresholds and polychoric correlations
    #[arg(long, value_delimiter = ',', conflicts_with = "ordered_all")]
    pub ordered: Vec<String>,
    /// every observed variable of the model is ordered-categorical
    #[arg(long)]
    pub ordered_all: bool,
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
    /// with --group: parameters exempt from --group-equal, comma-separated, e.g.
    /// "x3 ~ 1,visual =~ x2" (lavaan `group.partial`)
    #[arg(long, value_delimiter = ',', requires = "group")]
    pub group_partial: Vec<String>,
    /// lavaan's growth(): observed intercepts fixed at 0, latent means free, a mean structure
    #[arg(long)]
    pub growth: bool,
    /// with ordered indicators: scaling of the latent responses (lavaan `parameterization`)
    #[arg(long, value_enum, default_value = "delta")]
    pub parameterization: ParameterizationArg,
    /// add a mean structure on complete data: free intercepts, latent means 0 (lavaan
    /// `meanstructure = TRUE`; FIML, `--growth` and `~ 1` in the model turn it on anyway)
    #[arg(long)]
    pub meanstructure: bool,
}

/// Run the subcommand.
pub fn run(a: SemArgs) -> Result<String, String> {
    let text =
        std::fs::read_to_string(&a.model).map_err(|e| format!("cannot read {}: {e}", a.model))?;
    let mut sem = if a.growth { Sem::growth(&text) } else { Sem::from_syntax(&text) }
        .map_err(|e| format!("{}: {e}", a.model))?;
    if let Some(e) = a.estimator {
        sem = sem.estimator(match e {
            EstimatorArg::Ml => Estimator::Ml,
            EstimatorArg::Gls => Estimator::Gls,
            EstimatorArg::Uls => Estimator::Uls,
            EstimatorArg::Mlr => Estimator::Mlr,
            EstimatorArg::Mlm => Estimator::Mlm,
            EstimatorArg::Mlmv => Estimator::Mlmv,
            EstimatorArg::Dwls => Estimator::Dwls,
            EstimatorArg::Wls => Estimator::Wls,
            EstimatorArg::Wlsmv => Estimator::Wlsmv,
            EstimatorArg::Ulsmv => Estimator::Ulsmv,
        });
    }
    if a.ordered_all {
        sem = sem.ordered_all();
    } else if !a.ordered.is_empty() {
        sem = sem.ordered(&a.ordered);
    }
    if a.meanstructure {
        sem = sem.meanstructure(true);
    }
    if matches!(a.parameterization, ParameterizationArg::Theta) {
        sem = sem.parameterization(surveystat::sem::Parameterization::Theta);
    }
    let sem = sem
        .likelihood(match a.likelihood {
            LikelihoodArg::Normal => Likelihood::Normal,
            LikelihoodArg::Wishart => Likelihood::Wishart,
        })
        .std_lv(a.std_lv)
        .missing(match a.missing {
            MissingArg::Listwise => SemMissing::Listwise,
            MissingArg::Fiml => SemMissing::Fiml,
        });
    if let (Some(cov_path), Some(n)) = (&a.cov, a.n_obs) {
        if a.bootstrap.is_some() || a.group.is_some() || matches!(a.missing, MissingArg::Fiml) {
            return Err("--cov cannot be combined with --bootstrap, --group or --missing fiml (they need raw data)".into());
        }
        let (names, cov) = read_cov(cov_path)?;
        let fit = sem.fit_cov(&cov, &names, n).map_err(|e| format!("{cov_path}: {e}"))?;
        return render(&fit, &a);
    }
    let Some(data_path) = a.data.clone() else {
        return Err("one of --data or --cov is required".into());
    };
    let streamable = a.bootstrap.is_none()
        && a.group.is_none()
        && matches!(a.missing, MissingArg::Listwise)
        && matches!(
            a.estimator,
            None | Some(EstimatorArg::Ml | EstimatorArg::Gls | EstimatorArg::Uls)
        )
        && a.ordered.is_empty()
        && !a.ordered_all
        && !a.meanstructure;
    if use_stream(
        &data_path,
        streamable,
        "--bootstrap, --group, --missing fiml, --meanstructure, robust and ordinal estimators need the rows",
    )? {
        return render(&fit_streamed(&sem, &data_path)?, &a);
    }
    let data = read_data(&data_path)?;
    let boot_config = a.bootstrap.map(|reps| {
        SemBootstrap::new(reps)
            .seed(a.seed)
            .ci(match a.ci {
                CiArg::Perc => BootstrapCi::Percentile,
                CiArg::Bca => BootstrapCi::Bca,
            })
            .kind(match a.bootstrap_kind {
                BootKindArg::Ordinary => SemBootstrapKind::Ordinary,
                BootKindArg::BollenStine => SemBootstrapKind::BollenStine,
            })
            .jackknife(matches!(a.ci, CiArg::Bca))
    });
    if let Some(g) = &a.group {
        let equal = a.group_equal.iter().map(|e| match e {
            GroupEqualArg::Loadings => GroupEqual::Loadings,
            GroupEqualArg::Regressions => GroupEqual::Regressions,
            GroupEqualArg::Residuals => GroupEqual::Residuals,
            GroupEqualArg::ResidualCovariances => GroupEqual::ResidualCovariances,
            GroupEqualArg::LvVariances => GroupEqual::LvVariances,
            GroupEqualArg::LvCovariances => GroupEqual::LvCovariances,
            GroupEqualArg::Intercepts => GroupEqual::Intercepts,
            GroupEqualArg::Means => GroupEqual::Means,
            GroupEqualArg::Thresholds => GroupEqual::Thresholds,
        });
        let fit = MultiGroupSem::new(sem, g)
            .equal(equal)
            .partial(a.group_partial.iter().cloned())
            .fit(&data)
            .map_err(|e| format!("{data_path}: {e}"))?;
        let Some(cfg) = &boot_config else {
            return if a.json { serialized(&fit, json!({}), &[]) } else { Ok(fit.to_string()) };
        };
        let boot = fit.bootstrap(&data, cfg).map_err(|e| format!("{data_path}: {e}"))?;
        let bfit = fit.with_bootstrap(&boot).map_err(|e| e.to_string())?;
        return if a.json {
            serialized(&SemReport::new(&bfit).bootstrap(&boot), json!({}), &[])
        } else {
            Ok(format!("{bfit}\n{boot}"))
        };
    }
    let fit = sem.fit(&data).map_err(|e| format!("{data_path}: {e}"))?;
    if let Some(cfg) = &boot_config {
        let boot = fit.bootstrap(&data, cfg).map_err(|e| format!("{data_path}: {e}"))?;
        let bfit = fit.with_bootstrap(&boot).map_err(|e| e.to_string())?;
        if a.json {
            let mut report = SemReport::new(&bfit).bootstrap(&boot);
            if let Some(k) = a.modindices {
                report = report.modindices(top_modindices(&fit, k)?);
            }
            return serialized(&report, json!({}), &[]);
        }
        let mi = match a.modindices {
            Some(k) => modindices_text(&fit, k)?,
            None => String::new(),
        };
        return Ok(format!("{bfit}\n{boot}{mi}"));
    }
    render(&fit, &a)
}

/// The fit as text or JSON, with the modification indices when asked for.
fn render(fit: &SemFit, a: &SemArgs) -> Result<String, String> {
    if a.json {
        let mut report = SemReport::new(fit);
        if let Some(k) = a.modindices {
            report = report.modindices(top_modindices(fit, k)?);
        }
        serialized(&report, json!({}), &[])
    } else {
        let mi = match a.modindices {
            Some(k) => modindices_text(fit, k)?,
            None => String::new(),
        };
        Ok(format!("{fit}{mi}"))
    }
}

/// The `top` largest modification indices (0 = all), sorted by decreasing MI.
fn top_modindices(fit: &SemFit, top: usize) -> Result<Vec<ModIndex>, String> {
    let mut mi = fit.modindices().map_err(|e| e.to_string())?;
    mi.retain(|m| m.mi >= 0.0);
    if top > 0 {
        mi.truncate(top);
    }
    Ok(mi)
}

fn modindices_text(fit: &SemFit, top: usize) -> Result<String, String> {
    let mi = top_modindices(fit, top)?;
    let mut out = String::from("\nModification indices (largest first):\n\n");
    let w = mi
        .iter()
        .map(|m| m.lhs.chars().count() + m.rhs.chars().count() + 4)
        .max()
        .unwrap_or(0)
        .max(9);
    out.push_str(&format!(
        "{:<w$} {:>10} {:>10} {:>10} {:>10}\n",
        "parameter", "mi", "epc", "sepc.lv", "sepc.all"
    ));
    for m in &mi {
        let name = format!("{} {} {}", m.lhs, m.op, m.rhs);
        out.push_str(&format!(
            "{name:<w$} {:>10.3} {:>10.3} {:>10.3} {:>10.3}\n",
            m.mi, m.epc, m.sepc_lv, m.sepc_all
        ));
    }
    Ok(out)
}

/// Read a covariance matrix CSV: a header row of names, optionally a first column of row names
/// (text); the numeric part must be square, symmetric and named like its rows when row names are
/// given.
fn read_cov(path: &str) -> Result<(Vec<String>, Array2<f64>), String> {
    let ds = read_data(path)?;
    let all = ds.names().to_vec();
    let numeric = ds.numeric_names();
    let row_names: Option<Vec<String>> = match all.first() {
        Some(first) if !numeric.contains(first) => {
            Some(ds.labels(first).map_err(|e| format!("{path}: {e}"))?)
        }
        _ => None,
    };
    let names: Vec<String> = match &row_names {
        Some(_) => all[1..].to_vec(),
        None => all.clone(),
    };
    if let Some(t) = names.iter().find(|n| !numeric.contains(n)) {
        return Err(format!("{path}: covariance column `{t}` is not numeric"));
    }
    let cov = ds.select(&names).map_err(|e| format!("{path}: {e}"))?;
    if cov.nrows() != cov.ncols() {
        return Err(format!(
            "{path}: a covariance matrix must be square: {} rows, {} columns",
            cov.nrows(),
            cov.ncols()
        ));
    }
    if let Some(rn) = &row_names
        && let Some((r, c)) = rn.iter().zip(&names).find(|(r, c)| r != c)
    {
        return Err(format!(
            "{path}: row `{r}` does not match column `{c}` (rows and columns must name the same variables in the same order)"
        ));
    }
    let p = cov.nrows();
    for i in 0..p {
        for j in 0..i {
            let (x, y) = (cov[[i, j]], cov[[j, i]]);
            if !(x.is_finite() && y.is_finite()) {
                return Err(format!(
                    "{path}: covariance of `{}` and `{}` is missing or not finite",
                    names[i], names[j]
                ));
            }
            if (x - y).abs() > 1e-10 * x.abs().max(y.abs()).max(f64::MIN_POSITIVE) {
                return Err(format!(
                    "{path}: the matrix is not symmetric (`{}`, `{}`: {x} vs {y})",
                    names[i], names[j]
                ));
            }
        }
    }
    Ok((names, cov))
}

/// Fit from the moments of the model's observed variables streamed from the file (complete rows).
fn fit_streamed(sem: &Sem, path: &str) -> Result<SemFit, String> {
    let model = sem.compile().map_err(|e| e.to_string())?;
    let sm = stream_data(path, model.observed())?;
    if let Some(l) = model.latent().iter().find(|l| sm.header().contains(l)) {
        return Err(format!(
            "{path}: {}",
            surveystat::Error::LatentNameCollision { name: l.clone() }
        ));
    }
    let m = sm.moments().map_err(in_file(path))?;
    model.fit_moments(&m).map_err(|e| format!("{path}: {e}"))
}
impl From<EstimatorArg> for Estimator {
    fn from(e: EstimatorArg) -> Self {
        match e {
            EstimatorArg::Ml => Estimator::Ml,
            EstimatorArg::Gls => Estimator::Gls,
            EstimatorArg::Uls => Estimator::Uls,
            EstimatorArg::Mlr => Estimator::Mlr,
            EstimatorArg::Mlm => Estimator::Mlm,
            EstimatorArg::Mlmv => Estimator::Mlmv,
            EstimatorArg::Dwls => Estimator::Dwls,
            EstimatorArg::Wls => Estimator::Wls,
            EstimatorArg::Wlsmv => Estimator::Wlsmv,
            EstimatorArg::Ulsmv => Estimator::Ulsmv,
        }
    }
}

/// Scaling of the latent responses of ordered indicators.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ParameterizationArg {
    /// Var(y*) = 1, residual variances derived (lavaan's default)
    Delta,
    /// residual variances of y* fixed at 1, scaling factors derived
    Theta,
}
