//! `Serialize` of the polychoric fit: the JSON object of `surveystat cor` with an ordinal
//! method (docs/json.md).

use serde::{Serialize, Serializer};
use serde_json::{Value, json};

use super::PolychoricFit;
use crate::serialize::{matrix, num, slice, via_value, warnings};

/// `names`, `correlation`, `n_obs`, `thresholds` (per variable), `continuous`,
/// `positive_definite`, `min_eigenvalue`, `smoothed`, `corrected_cells`, `std_errors` and
/// `threshold_std_errors` (`null` without the asymptotic covariance), `warnings`.
impl Serialize for PolychoricFit {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        via_value(
            json!({
                "names": self.names(),
                "correlation": matrix(self.correlation()),
                "n_obs": self.n_obs(),
                "thresholds": self.thresholds().iter().map(|t| slice(t)).collect::<Vec<_>>(),
                "continuous": self.continuous(),
                "positive_definite": self.is_positive_definite(),
                "min_eigenvalue": num(self.min_eigenvalue()),
                "smoothed": self.smoothed(),
                "corrected_cells": self.corrected_cells(),
                "std_errors": self.std_errors().map_or(Value::Null, |m| matrix(&m)),
                "threshold_std_errors": self.threshold_std_errors().map_or(Value::Null, |t| {
                    Value::Array(t.iter().map(|v| slice(v)).collect())
                }),
                "warnings": warnings(self.warnings()),
            }),
            s,
        )
    }
}
