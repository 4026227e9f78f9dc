//! Shared helpers of the subcommands: reading data, splitting lists, rendering output.

#![allow(dead_code)] // some helpers serve only some subcommands

use surveystat::data::Dataset;

/// Read a CSV file; the error names the file.
pub fn read_data(path: &str) -> Result<Dataset, String> {
    Dataset::from_csv_path(path).map_err(|e| e.to_string())
}

/// Split a comma-separated list of names (`A1,A2, A3`).
pub fn split_list(s: &str) -> Vec<String> {
    s.split(',').map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).collect()
}

/// Prefix an error with the data file it concerns.
pub fn in_file<E: std::fmt::Display>(path: &str) -> impl Fn(E) -> String + '_ {
    move |e| format!("{path}: {e}")
}

/// Serialize a JSON value deterministically (pretty, with a trailing newline).
pub fn json_text(v: &serde_json::Value) -> String {
    let mut s = serde_json::to_string_pretty(v).expect("a serde_json::Value always serializes");
    s.push('\n');
    s
}

/// A JSON number, or `null` for NaN / infinite values.
pub fn num(x: f64) -> serde_json::Value {
    if x.is_finite() { serde_json::json!(x) } else { serde_json::Value::Null }
}

/// A JSON number for an optional value.
pub fn opt(x: Option<f64>) -> serde_json::Value {
    x.map(num).unwrap_or(serde_json::Value::Null)
}
