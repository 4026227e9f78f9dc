//! Shared helpers of the subcommands: reading data, splitting lists, rendering output.

#![allow(dead_code)] // some helpers serve only some subcommands

use std::sync::OnceLock;

use surveystat::data::{CsvOptions, Dataset};

/// Options of reading `--data`, shared by every subcommand.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct DataOptions {
    /// Field delimiter of --data (one character: `,` `;` `tab` ...; default: sniffed from the
    /// header among `,` `;` tab)
    #[arg(long, global = true, value_name = "C")]
    pub delimiter: Option<String>,
    /// Read `,` as the decimal mark (as R's read.csv2)
    #[arg(long, global = true)]
    pub decimal_comma: bool,
    /// Further missing-value codes, e.g. -99,999 (numbers match by value, other codes by text)
    #[arg(long, global = true, value_name = "CODES", allow_hyphen_values = true)]
    pub na: Option<String>,
}

static CSV_OPTIONS: OnceLock<CsvOptions> = OnceLock::new();

/// Check the data options once, before any subcommand reads data.
pub fn set_data_options(o: &DataOptions) -> Result<(), String> {
    let mut opts = CsvOptions::new().decimal_comma(o.decimal_comma);
    if let Some(d) = &o.delimiter {
        let byte = match d.as_str() {
            "tab" | "\\t" | "\t" => b'\t',
            "space" => b' ',
            s if s.len() == 1 && s.is_ascii() => s.as_bytes()[0],
            s => {
                return Err(format!("--delimiter takes one ASCII character (or `tab`), got `{s}`"));
            }
        };
        opts = opts.delimiter(byte);
    }
    if let Some(na) = &o.na {
        opts = opts.na_codes(&split_list(na));
    }
    CSV_OPTIONS.set(opts).map_err(|_| "data options were set twice".to_string())
}

/// Read a data file (by its extension; CSV with the common data options); the error names the
/// file.
pub fn read_data(path: &str) -> Result<Dataset, String> {
    let opts = CSV_OPTIONS.get().cloned().unwrap_or_default();
    Dataset::from_path(path, &opts).map_err(|e| e.to_string())
}

/// Split a comma-separated list of names (`A1,A2, A3`).
pub fn split_list(s: &str) -> Vec<String> {
    s.split(',').map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).collect()
}

/// Prefix an error with the data file it concerns.
pub fn in_file<E: std::fmt::Display>(path: &str) -> impl Fn(E) -> String + '_ {
    move |e| format!("{path}: {e}")
}

/// Version of the JSON output contract (docs/json.md); every top-level object carries it as
/// `"version"`.
pub const JSON_VERSION: u32 = 1;

/// Serialize a JSON value deterministically (pretty, with a trailing newline); a top-level object
/// gets the field `"version"` ([`JSON_VERSION`]).
pub fn json_text(v: &serde_json::Value) -> String {
    let mut v = v.clone();
    if let Some(o) = v.as_object_mut() {
        o.insert("version".into(), serde_json::json!(JSON_VERSION));
    }
    let mut s = serde_json::to_string_pretty(&v).expect("a serde_json::Value always serializes");
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
