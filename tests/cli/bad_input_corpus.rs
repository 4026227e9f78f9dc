//! The bad-input corpus (tests/fixtures/bad_input/corpus/cases.txt): every case runs the
//! `surveystat` executable and asserts no panic, no signal, completion within a time limit, and
//! either a clean success (well-formed JSON with the expected warning) or one clear error line on
//! stderr with nothing on stdout. The format of the table is described at its top.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/bad_input/corpus");

/// A hang guard, not a speed requirement: the slowest case takes well under a second on a quiet
/// machine, so a case still running after this long is stuck.
const TIME_LIMIT: Duration = Duration::from_secs(120);

#[derive(Debug)]
enum Expect {
    Ok,
    Warn(String),
    Err(String),
}

#[derive(Debug)]
struct Case {
    line: usize,
    name: String,
    expect: Expect,
    args: String,
}

fn cases() -> Vec<Case> {
    let text = std::fs::read_to_string(Path::new(CORPUS).join("cases.txt")).unwrap();
    let mut out = Vec::new();
    for (k, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let parts: Vec<&str> = line.splitn(3, '|').map(str::trim).collect();
        assert_eq!(parts.len(), 3, "cases.txt line {}: `{line}`", k + 1);
        let (kind, needle) = parts[1].split_once(' ').unwrap_or((parts[1], ""));
        let needle = needle.trim().to_lowercase();
        let expect = match kind {
            "ok" => Expect::Ok,
            "warn" => Expect::Warn(needle),
            "err" => Expect::Err(needle),
            other => panic!("cases.txt line {}: unknown expectation `{other}`", k + 1),
        };
        out.push(Case { line: k + 1, name: parts[0].to_string(), expect, args: parts[2].into() });
    }
    out
}

/// Split at spaces, with "double quotes" grouping words.
fn words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let (mut quoted, mut any) = (false, false);
    for c in s.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                any = true;
            }
            ' ' if !quoted => {
                if any {
                    out.push(std::mem::take(&mut cur));
                }
                any = false;
            }
            _ => {
                cur.push(c);
                any = true;
            }
        }
    }
    if any {
        out.push(cur);
    }
    out
}

fn expand(word: &str, tmp: &Path) -> String {
    let corpus = Path::new(CORPUS);
    let p: PathBuf = if let Some(f) = word.strip_prefix("@<") {
        return std::fs::read_to_string(corpus.join(f)).unwrap();
    } else if word == "@tmp" {
        tmp.to_path_buf()
    } else if let Some(f) = word.strip_prefix("@tmp/") {
        tmp.join(f)
    } else if let Some(f) = word.strip_prefix("@missing/") {
        tmp.join("no_such_folder").join(f)
    } else if let Some(f) = word.strip_prefix('@') {
        corpus.join(f)
    } else {
        return word.to_string();
    };
    p.to_str().unwrap().to_string()
}

/// Run one case; `Err` describes what went wrong.
fn run(case: &Case, tmp_root: &Path) -> Result<(), String> {
    let tmp = tmp_root.join(&case.name);
    std::fs::create_dir_all(&tmp).unwrap();
    let args: Vec<String> = words(&case.args).iter().map(|w| expand(w, &tmp)).collect();
    let mut child = Command::new(env!("CARGO_BIN_EXE_surveystat"))
        .args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // drain the pipes on threads so that a large output cannot block the child
    let mut so = child.stdout.take().unwrap();
    let mut se = child.stderr.take().unwrap();
    let t_out = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = so.read_to_end(&mut b);
        b
    });
    let t_err = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = se.read_to_end(&mut b);
        b
    });
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > TIME_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("still running after {TIME_LIMIT:?} (killed)"));
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout = String::from_utf8_lossy(&t_out.join().unwrap()).into_owned();
    let stderr = String::from_utf8_lossy(&t_err.join().unwrap()).into_owned();
    let Some(code) = status.code() else {
        return Err(format!("killed by a signal ({status}); stderr: {stderr}"));
    };
    if code == 101 || stderr.contains("panicked") || stderr.contains("overflowed its stack") {
        return Err(format!("panicked (exit {code}): {stderr}"));
    }
    let json = case.args.split(' ').any(|w| w == "--json");
    match &case.expect {
        Expect::Ok | Expect::Warn(_) => {
            if code != 0 {
                return Err(format!("exit {code}, expected success; stderr: {stderr}"));
            }
            if !stderr.is_empty() {
                return Err(format!("success but stderr is not empty: {stderr}"));
            }
            if stdout.trim().is_empty() {
                return Err("success with nothing on stdout".into());
            }
            let warnings = if json {
                // serde_json refuses bare NaN / Infinity, so this also checks that none is printed
                let v: serde_json::Value = serde_json::from_str(&stdout)
                    .map_err(|e| format!("stdout is not well-formed JSON ({e})"))?;
                v.get("warnings").map(|w| w.to_string().to_lowercase())
            } else {
                Some(stdout.to_lowercase())
            };
            if let Expect::Warn(needle) = &case.expect {
                let Some(w) = warnings else {
                    return Err("the JSON has no `warnings` field".into());
                };
                if w == "[]" || !w.contains(needle.as_str()) {
                    return Err(format!("no warning containing `{needle}`; warnings: {w}"));
                }
            }
            Ok(())
        }
        Expect::Err(needle) => {
            if code == 0 {
                return Err(format!("succeeded, expected an error; stdout starts: {stdout:.300}"));
            }
            if !stdout.is_empty() {
                return Err(format!("error with output on stdout: {stdout:.300}"));
            }
            let first = stderr.lines().next().unwrap_or("");
            if code == 2 {
                // an argument the parser refuses: clap's message, then its usage lines
                if !first.starts_with("error:") {
                    return Err(format!("exit 2 without clap's `error:` line: {stderr}"));
                }
            } else if stderr.lines().count() != 1 || !first.starts_with("surveystat: ") {
                return Err(format!("expected one `surveystat: ` line on stderr, got: {stderr}"));
            }
            if !stderr.to_lowercase().contains(needle.as_str()) {
                return Err(format!("stderr does not mention `{needle}`: {stderr}"));
            }
            Ok(())
        }
    }
}

#[test]
fn every_corpus_case_ends_cleanly() {
    let cases = cases();
    assert!(cases.len() >= 150, "only {} cases", cases.len());
    let mut names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), cases.len(), "case names must be unique");
    let tmp_root =
        std::env::temp_dir().join(format!("surveystat_bad_input_corpus_{}", std::process::id()));
    let next = AtomicUsize::new(0);
    let failures = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                loop {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    let Some(case) = cases.get(k) else { break };
                    if let Err(why) = run(case, &tmp_root) {
                        let msg = format!("line {} `{}`: {why}", case.line, case.name);
                        failures.lock().unwrap().push(msg);
                    }
                }
            });
        }
    });
    let _ = std::fs::remove_dir_all(&tmp_root);
    let failures = failures.into_inner().unwrap();
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.len(), {
        failures.join("\n")
    });
}
