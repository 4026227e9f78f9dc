//! The JSON contract of the fitted types (docs/json.md): helpers shared by their `Serialize`
//! implementations, and serde helpers that map NaN and ±∞ to `null` and back.
//!
//! Every fitted type serializes to the object that `surveystat <subcommand> --json` prints
//! (without the `version` field, which the command line adds): field names follow psych and
//! lavaan (`raw_alpha`, `est`, `se`, `std_all`, lavaan's fit-measure names), numbers that are
//! NaN or infinite are `null`, warnings are an array of strings.

use serde_json::{Map, Value, json};

use ndarray::{Array1, Array2};

/// Version of the JSON contract of docs/json.md; the command line adds it to every top-level
/// object as `"version"`. It changes when a field is renamed or removed or changes meaning.
pub const JSON_VERSION: u32 = 1;

/// A JSON number, or `null` for NaN / ±∞.
pub(crate) fn num(x: f64) -> Value {
    if x.is_finite() { json!(x) } else { Value::Null }
}
/// A JSON number for an optional value (`null` when absent or not finite).
pub(crate) fn opt(x: Option<f64>) -> Value {
    x.map(num).unwrap_or(Value::Null)
}
/// A matrix as an array of rows.
pub(crate) fn matrix(m: &Array2<f64>) -> Value {
    Value::Array(
        m.rows().into_iter().map(|r| Value::Array(r.iter().map(|v| num(*v)).collect())).collect(),
    )
}
/// A vector as an array.
pub(crate) fn vector(v: &Array1<f64>) -> Value {
    Value::Array(v.iter().map(|x| num(*x)).collect())
}
/// A slice as an array.
pub(crate) fn slice(v: &[f64]) -> Value {
    Value::Array(v.iter().map(|x| num(*x)).collect())
}
/// Named values as an object.
pub(crate) fn named(v: &[(String, f64)]) -> Value {
    Value::Object(v.iter().map(|(k, x)| (k.clone(), num(*x))).collect::<Map<_, _>>())
}
/// Warnings as an array of their messages.
pub(crate) fn warnings<W: std::fmt::Display>(w: &[W]) -> Value {
    Value::Array(w.iter().map(|w| Value::String(w.to_string())).collect())
}

/// Serialize a value built by `build` (the JSON object of the contract).
pub(crate) fn via_value<S: serde::Serializer>(v: Value, s: S) -> Result<S::Ok, S::Error> {
    serde::Serialize::serialize(&v, s)
}

/// Serde helpers for `f64` fields whose NaN / ±∞ are `null` in JSON:
/// `#[serde(with = "surveystat::serialize::nullable")]`. Serializing writes `null` for a
/// non-finite value; deserializing reads `null` as NaN, so a value round-trips up to the sign
/// of an infinity.
pub mod nullable {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Write a finite value as a number and NaN / ±∞ as `null`.
    ///
    /// # Errors
    /// The serializer's errors.
    pub fn serialize<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
        if x.is_finite() { s.serialize_f64(*x) } else { s.serialize_none() }
    }

    /// Read a number, or `null` as NaN.
    ///
    /// # Errors
    /// The deserializer's errors (a value that is neither a number nor `null`).
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
    }
}

/// Serde helpers for `Vec<f64>` whose NaN / ±∞ entries are `null` in JSON.
pub mod nullable_vec {
    use serde::{Deserialize, Deserializer, Serializer, ser::SerializeSeq};

    /// Write each finite entry as a number and NaN / ±∞ as `null`.
    ///
    /// # Errors
    /// The serializer's errors.
    pub fn serialize<S: Serializer>(x: &[f64], s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(x.len()))?;
        for v in x {
            if v.is_finite() { seq.serialize_element(v)? } else { seq.serialize_element(&())? }
        }
        seq.end()
    }

    /// Read numbers, `null` as NaN.
    ///
    /// # Errors
    /// The deserializer's errors.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
        Ok(Vec::<Option<f64>>::deserialize(d)?.into_iter().map(|v| v.unwrap_or(f64::NAN)).collect())
    }
}
