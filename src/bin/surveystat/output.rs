//! Shared helpers of the subcommands: reading data, splitting lists, rendering output.

#![allow(dead_code)] // some helpers serve only some subcommands

use std::sync::OnceLock;

use surveystat::data::{CsvOptions, Dataset, StreamedMoments, stream_moments};
use surveystat::moments::Moments;

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
    /// Fit from moments streamed from the file (CSV or Parquet) in chunks, without loading it
    /// (alpha, kmo, efa, omega, sem with complete-data ML/GLS/ULS; ols from the streamed QR
    /// factor); files of 4 GiB or more are streamed anyway
    #[arg(long, global = true)]
    pub stream: bool,
}

static CSV_OPTIONS: OnceLock<CsvOptions> = OnceLock::new();
static STREAM: OnceLock<bool> = OnceLock::new();

/// Files at least this large are streamed by the subcommands that can fit from moments, when
/// their options allow it.
pub const AUTO_STREAM_BYTES: u64 = 4 << 30;

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
    STREAM.set(o.stream).map_err(|_| "data options were set twice".to_string())?;
    CSV_OPTIONS.set(opts).map_err(|_| "data options were set twice".to_string())
}

/// `--stream` was given.
pub fn stream_requested() -> bool {
    STREAM.get().copied().unwrap_or(false)
}

/// Whether to stream `path`: on request, or for a delimited file of [`AUTO_STREAM_BYTES`] or
/// more when `allowed` (the subcommand's options need only moments). A request with options that
/// need the rows is an error naming `why_not`.
pub fn use_stream(path: &str, allowed: bool, why_not: &str) -> Result<bool, String> {
    if stream_requested() {
        return if allowed {
            Ok(true)
        } else {
            Err(format!("--stream fits from moments: {why_not}"))
        };
    }
    let delimited = !matches!(
        std::path::Path::new(path)
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("sav" | "zsav" | "dta" | "parquet" | "arrow" | "feather" | "ipc")
    );
    let big = std::fs::metadata(path).map(|m| m.len() >= AUTO_STREAM_BYTES).unwrap_or(false);
    Ok(allowed && delimited && big)
}

/// Stream the moments of `columns` (every column when empty) of a delimited file.
pub fn stream_data(path: &str, columns: &[String]) -> Result<StreamedMoments, String> {
    let opts = CSV_OPTIONS.get().cloned().unwrap_or_default();
    let mut opts = opts;
    if opts.delimiter_byte().is_none()
        && matches!(
            std::path::Path::new(path).extension().and_then(|e| e.to_str()),
            Some("tsv" | "tab")
        )
    {
        opts = opts.delimiter(b'\t');
    }
    stream_moments(path, columns, &opts).map_err(in_file(path))
}

/// The moments of complete rows of a streamed file, refusing incomplete rows when the in-memory
/// fit would have used them (pairwise statistics): the two routes must not silently differ.
pub fn complete_moments(path: &str, m: &StreamedMoments) -> Result<Moments, String> {
    let mm = m.moments().map_err(in_file(path))?;
    if mm.n_dropped() > 0 {
        return Err(format!(
            "{path}: {} of {} rows have a missing value in the chosen columns; a streamed fit uses \
             complete rows only, whereas the in-memory fit uses pairwise statistics (drop or impute \
             those rows, or read without --stream)",
            mm.n_dropped(),
            m.rows_read()
        ));
    }
    Ok(mm)
}

/// Read a data file (by its extension; CSV with the common data options); the error names the
/// file.
pub fn read_data(path: &str) -> Result<Dataset, String> {
    if stream_requested() {
        return Err(
            "--stream: this subcommand needs the rows themselves (alpha, kmo, efa, omega and sem \
             fit from streamed moments, ols from a streamed QR factor)"
                .into(),
        );
    }
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
pub const JSON_VERSION: u32 = surveystat::serialize::JSON_VERSION;

/// Serialize a JSON value deterministically (pretty, with a trailing newline); a top-level object
/// gets the field `"version"` ([`JSON_VERSION`]).
pub fn json_text(mut v: serde_json::Value) -> String {
    if let Some(o) = v.as_object_mut() {
        o.insert("version".into(), serde_json::json!(JSON_VERSION));
    }
    let mut s = serde_json::to_string_pretty(&v).expect("a serde_json::Value always serializes");
    s.push('\n');
    // the text is printed and the process ends: the tree of maps and strings is left to the end
    // of the process instead of being freed node by node (a tenth of a small SEM run)
    std::mem::forget(v);
    s
}

/// The JSON object of a result (its `Serialize`, the contract of docs/json.md) with `fields`
/// added at the top level (the command's own inputs, such as the item names, and notes) and
/// the `version` field; as text.
pub fn serialized<T: serde::Serialize>(
    result: &T,
    fields: serde_json::Value,
    notes: &[String],
) -> Result<String, String> {
    let mut v = serde_json::to_value(result).map_err(|e| e.to_string())?;
    if let (Some(o), serde_json::Value::Object(extra)) = (v.as_object_mut(), fields) {
        o.extend(extra);
    }
    Ok(json_text(json_with_notes(v, notes)))
}

/// A JSON number, or `null` for NaN / infinite values.
pub fn num(x: f64) -> serde_json::Value {
    if x.is_finite() { serde_json::json!(x) } else { serde_json::Value::Null }
}

/// A JSON number for an optional value.
pub fn opt(x: Option<f64>) -> serde_json::Value {
    x.map(num).unwrap_or(serde_json::Value::Null)
}

/// The note for a default item set ("every numeric column"): the columns left out because they
/// hold text (one non-numeric cell makes a column text), so that none is dropped without a word.
pub fn default_items_notes(ds: &Dataset) -> Vec<String> {
    let numeric = ds.numeric_names();
    let text: Vec<&String> = ds.names().iter().filter(|n| !numeric.contains(n)).collect();
    if text.is_empty() {
        return Vec::new();
    }
    let list: Vec<String> = text.iter().map(|n| format!("`{n}`")).collect();
    vec![format!(
        "not analysed because not numeric (give --items to choose the columns): {}",
        list.join(", ")
    )]
}

/// Add notes to the `warnings` array of a JSON document (created when absent).
pub fn json_with_notes(mut doc: serde_json::Value, notes: &[String]) -> serde_json::Value {
    if notes.is_empty() {
        return doc;
    }
    if let serde_json::Value::Object(m) = &mut doc {
        let w = m.entry("warnings").or_insert_with(|| serde_json::Value::Array(Vec::new()));
        if let serde_json::Value::Array(a) = w {
            a.extend(notes.iter().map(|n| serde_json::Value::String(n.clone())));
        }
    }
    doc
}

/// Append notes to a text output, one `Note:` line each.
pub fn text_with_notes(mut text: String, notes: &[String]) -> String {
    for n in notes {
        if !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(&format!("Note: {n}\n"));
    }
    text
}

/// Stream the QR state of `response` on `predictors` from a delimited or Parquet file.
pub fn stream_qr_data(
    path: &str,
    response: &str,
    predictors: &[String],
) -> Result<surveystat::data::StreamedQr, String> {
    let mut opts = CSV_OPTIONS.get().cloned().unwrap_or_default();
    if opts.delimiter_byte().is_none()
        && matches!(
            std::path::Path::new(path).extension().and_then(|e| e.to_str()),
            Some("tsv" | "tab")
        )
    {
        opts = opts.delimiter(b'\t');
    }
    surveystat::data::stream_qr(path, response, predictors, &opts).map_err(in_file(path))
}
