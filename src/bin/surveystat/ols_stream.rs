//! `surveystat ols --stream`: OLS from the streaming QR state of `[1 X y]`, read from the file in
//! chunks without loading it.

use surveystat::regression::{Ols, OlsReport};

use crate::ols::OlsArgs;
use crate::output::{in_file, serialized, stream_qr_data};

/// The response and predictors of a formula of plain numeric columns, `y ~ x1 + x2`.
fn plain_terms(formula: &str) -> Result<(String, Vec<String>), String> {
    let refuse = |what: &str| {
        format!(
            "--stream fits `y ~ x1 + x2 + …` over numeric columns with an intercept; formula \
             `{formula}` has {what}, which needs the rows (read without --stream)"
        )
    };
    let (lhs, rhs) = formula.split_once('~').ok_or_else(|| refuse("no `~`"))?;
    let plain = |s: &str| {
        !s.is_empty()
            && s.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '.')
            && !s.starts_with(|c: char| c.is_ascii_digit())
            && s != "."
    };
    let response = lhs.trim().to_string();
    if !plain(&response) {
        return Err(refuse("a transformed response"));
    }
    let mut terms = Vec::new();
    for t in rhs.split('+').map(str::trim) {
        if t.contains(['*', ':', '^', '(', '|']) {
            return Err(refuse("interactions, factors or transformations"));
        }
        if t.contains('-') || t == "0" || t == "1" {
            return Err(refuse("an intercept or term removal"));
        }
        if t == "." {
            return Err(refuse("`.`"));
        }
        if !plain(t) {
            return Err(refuse(&format!("the term `{t}`")));
        }
        if terms.iter().any(|s: &String| s == t) {
            return Err(format!("formula `{formula}`: term `{t}` given twice"));
        }
        terms.push(t.to_string());
    }
    Ok((response, terms))
}

/// Run `surveystat ols --stream`.
pub fn run(a: &OlsArgs) -> Result<String, String> {
    let mut needs_rows = Vec::new();
    if a.robust.is_some() {
        needs_rows.push("--robust");
    }
    if a.weights.is_some() {
        needs_rows.push("--weights");
    }
    if a.cluster.is_some() {
        needs_rows.push("--cluster");
    }
    if !a.test.is_empty() {
        needs_rows.push("--test");
    }
    if a.predict.is_some() {
        needs_rows.push("--predict");
    }
    if a.drop_aliased {
        needs_rows.push("--drop-aliased");
    }
    if !needs_rows.is_empty() {
        return Err(format!(
            "--stream fits OLS from the streamed QR factor (coefficients, classical standard \
             errors, R², F); {} need the rows (read without --stream)",
            needs_rows.join(", ")
        ));
    }
    let (response, predictors) = plain_terms(&a.formula)?;
    let s = stream_qr_data(&a.data, &response, &predictors)?;
    let fit = Ols::new()
        .names(&predictors)
        .response(response)
        .ci_level(a.ci_level)
        .fit_qr(s.accumulator())
        .map_err(in_file(&a.data))?;
    if a.json {
        return serialized(&OlsReport::new(&fit), serde_json::json!({ "streamed": true }), &[]);
    }
    Ok(format!(
        "{}Streamed: residuals, HC covariances, Durbin–Watson and Breusch–Pagan need the rows\n",
        fit.summary()
    ))
}
