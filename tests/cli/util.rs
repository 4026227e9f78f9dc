//! Running the `surveystat` executable from the CLI tests.

use std::process::{Command, Output};

/// Runs `surveystat` with `args` (the subcommand first).
pub fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_surveystat")).args(args).output().expect("run surveystat")
}

/// Runs `surveystat` with `args`: whether it succeeded, its stdout and its stderr.
pub fn outcome(args: &[&str]) -> (bool, String, String) {
    let out = run(args);
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs `surveystat <cmd> args…`, as [`outcome`].
pub fn subcommand(cmd: &str, args: &[&str]) -> (bool, String, String) {
    let mut all = Vec::with_capacity(args.len() + 1);
    all.push(cmd);
    all.extend_from_slice(args);
    outcome(&all)
}

/// The three-factor HolzingerSwineford1939 CFA.
pub const HS_CFA: &str = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n";

/// Writes `text` to `name` in a temporary directory of its own (`tag` and the process id).
pub fn temp_file(tag: &str, name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("surveystat_cli_{tag}_{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temporary directory");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("temporary file");
    path
}
