//! `surveystat`: command-line front end of the surveystat library.
//!
//! Each subcommand reads a CSV file, fits one model and prints a readable summary, or with
//! `--json` one JSON object. Errors go to stderr as one sentence and the exit code is non-zero.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod alpha;
mod cor;
mod factor;
mod glm;
mod icc;
mod invariance;
mod ols;
mod ols_stream;
mod omega;
mod output;
mod parallel;
mod process;
mod score;
mod sem;
mod study;

/// Statistics of questionnaire research: reliability, sampling adequacy, EFA, OLS, SEM.
#[derive(Debug, Parser)]
#[command(name = "surveystat", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    data_options: output::DataOptions,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Cronbach's alpha and item statistics (as psych::alpha)
    Alpha(alpha::AlphaArgs),
    /// Correlation matrix: Pearson, Spearman, polychoric, tetrachoric, polyserial
    Cor(cor::CorArgs),
    /// Kaiser-Meyer-Olkin sampling adequacy and Bartlett's test of sphericity
    Kmo(factor::KmoArgs),
    /// Exploratory factor analysis (as psych::fa / psych::principal)
    Efa(factor::EfaArgs),
    /// Ordinary least squares regression (as summary(lm()))
    Ols(ols::OlsArgs),
    /// Generalized linear model: binomial (logit, probit) or Poisson (as summary(glm()))
    Glm(glm::GlmArgs),
    /// Conditional process analysis (PROCESS models 1 and 4)
    Process(process::ProcessArgs),
    /// Structural equation model from lavaan-style model syntax
    Sem(sem::SemArgs),
    /// The whole analysis of the Chengdu-Chongqing study
    Study(study::StudyArgs),
    /// Omega hierarchical, omega total and subscale omegas (as psych::omega)
    Omega(omega::OmegaArgs),
    /// The six Shrout-Fleiss intraclass correlations (as psych::ICC)
    Icc(icc::IccArgs),
    /// Horn's parallel analysis (as psych::fa.parallel)
    Parallel(parallel::ParallelArgs),
    /// Measurement invariance across groups: configural, metric, ... with the usual decision rules
    Invariance(invariance::InvarianceArgs),
    /// Scale scores, alpha per scale and scale intercorrelations from a keys file (as
    /// psych::scoreItems)
    Score(score::ScoreArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // faer asks rayon for its thread count at every factorisation whose parallelism is not set,
    // and that question starts rayon's global pool (one thread per core) even for a 9 × 9
    // Cholesky. With the count given here the pool starts only when a loop runs in parallel.
    faer::set_global_parallelism(faer::Par::rayon(thread_count()));
    if let Err(message) = output::set_data_options(&cli.data_options) {
        eprintln!("surveystat: {message}");
        return ExitCode::FAILURE;
    }
    let result = match cli.command {
        Command::Alpha(a) => alpha::run(a),
        Command::Cor(a) => cor::run(a),
        Command::Kmo(a) => factor::run_kmo(a),
        Command::Efa(a) => factor::run_efa(a),
        Command::Ols(a) => ols::run(a),
        Command::Glm(a) => glm::run(a),
        Command::Process(a) => process::run(a),
        Command::Sem(a) => sem::run(a),
        Command::Study(a) => study::run(a),
        Command::Omega(a) => omega::run(a),
        Command::Icc(a) => icc::run(a),
        Command::Parallel(a) => parallel::run(a),
        Command::Invariance(a) => invariance::run(a),
        Command::Score(a) => score::run(a),
    };
    match result {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("surveystat: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The size rayon's global pool will have: `RAYON_NUM_THREADS` when set to a positive count,
/// else the available parallelism.
fn thread_count() -> usize {
    std::env::var("RAYON_NUM_THREADS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|&n| n > 0)
        .or_else(|| std::thread::available_parallelism().ok().map(|n| n.get()))
        .unwrap_or(1)
}
