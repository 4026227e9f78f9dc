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
    let cli = parse_cli();
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

/// Adds a subcommand's arguments to its (empty) clap command.
type Augment = fn(clap::Command) -> clap::Command;

/// Each subcommand's name with the builder of its arguments (the names clap derives from
/// [`Command`]'s variants).
const SUBCOMMANDS: &[(&str, Augment)] = &[
    ("alpha", <alpha::AlphaArgs as clap::Args>::augment_args),
    ("cor", <cor::CorArgs as clap::Args>::augment_args),
    ("kmo", <factor::KmoArgs as clap::Args>::augment_args),
    ("efa", <factor::EfaArgs as clap::Args>::augment_args),
    ("ols", <ols::OlsArgs as clap::Args>::augment_args),
    ("glm", <glm::GlmArgs as clap::Args>::augment_args),
    ("process", <process::ProcessArgs as clap::Args>::augment_args),
    ("sem", <sem::SemArgs as clap::Args>::augment_args),
    ("study", <study::StudyArgs as clap::Args>::augment_args),
    ("omega", <omega::OmegaArgs as clap::Args>::augment_args),
    ("icc", <icc::IccArgs as clap::Args>::augment_args),
    ("parallel", <parallel::ParallelArgs as clap::Args>::augment_args),
    ("invariance", <invariance::InvarianceArgs as clap::Args>::augment_args),
    ("score", <score::ScoreArgs as clap::Args>::augment_args),
];

/// Parse the command line. Building clap's parser of every subcommand costs more than starting
/// the process, so a command line that names its subcommand first (or asks only for the
/// version) is parsed by a parser of the top level and that one subcommand. Anything that
/// parser does not accept — help, errors, options before the subcommand — is parsed again by
/// the whole tree, so messages and help text are clap's usual ones.
fn parse_cli() -> Cli {
    use clap::FromArgMatches;
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if let Some(cmd) = narrow_command(&args) {
        match cmd.try_get_matches_from(&args) {
            Ok(m) => {
                if let Ok(cli) = Cli::from_arg_matches(&m) {
                    return cli;
                }
            }
            Err(e) if e.kind() == clap::error::ErrorKind::DisplayVersion => e.exit(),
            Err(_) => {}
        }
    }
    Cli::parse_from(args)
}

/// The parser of the top level alone (for `--version` / `-V`) or with the one subcommand that
/// `args[1]` names; `None` for any other command line.
fn narrow_command(args: &[std::ffi::OsString]) -> Option<clap::Command> {
    use clap::Args;
    let top = || {
        output::DataOptions::augment_args(
            clap::Command::new("surveystat").version(env!("CARGO_PKG_VERSION")),
        )
    };
    match args.get(1)?.to_str()? {
        "--version" | "-V" if args.len() == 2 => Some(top()),
        name => {
            let &(name, augment) = SUBCOMMANDS.iter().find(|(n, _)| *n == name)?;
            Some(top().subcommand_required(true).subcommand(augment(clap::Command::new(name))))
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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_narrow_parsers_have_the_whole_trees_arguments() {
        let full = Cli::command();
        let names: Vec<&str> = full.get_subcommands().map(|c| c.get_name()).collect();
        let table: Vec<&str> = SUBCOMMANDS.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, table);
        let ids = |c: &clap::Command| -> Vec<String> {
            c.get_arguments().map(|a| a.get_id().to_string()).collect()
        };
        for sub in full.get_subcommands() {
            let args = ["surveystat", sub.get_name()].map(std::ffi::OsString::from);
            let narrow = narrow_command(&args).expect("a parser for every subcommand");
            let one = narrow.find_subcommand(sub.get_name()).expect("the subcommand");
            assert_eq!(ids(one), ids(sub), "{}", sub.get_name());
            assert_eq!(ids(&narrow), ids(&full));
        }
    }

    #[test]
    fn a_narrow_parse_equals_the_whole_trees() {
        use clap::FromArgMatches;
        let line = ["surveystat", "omega", "--data", "x.csv", "--items", "a,b,c", "--json"];
        let args = line.map(std::ffi::OsString::from);
        let m = narrow_command(&args).and_then(|c| c.try_get_matches_from(&args).ok());
        let narrow = Cli::from_arg_matches(&m.expect("parsed")).expect("matched");
        let full = Cli::try_parse_from(args).expect("parsed");
        assert_eq!(format!("{narrow:?}"), format!("{full:?}"));
        let args = ["surveystat", "--na", "-9", "omega"].map(std::ffi::OsString::from);
        assert!(narrow_command(&args).is_none());
    }
}
