//! Data at the edge of floating point: the Holzinger–Swineford items scaled by 1e±150 are either
//! refused with a typed error naming the column, or give the same answer as the unscaled items
//! (every statistic compared is scale-free).

use ndarray::Array2;
use surveystat::factor::{Efa, Kmo, ParallelAnalysis};
use surveystat::moments::{Missing, correlation};
use surveystat::regression::Ols;
use surveystat::reliability::{Alpha, Icc, Omega};
use surveystat::sem::Sem;

use crate::common;

const ITEMS: [&str; 9] = ["x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9"];

fn items() -> Array2<f64> {
    common::load_data("HolzingerSwineford1939.csv").select(&ITEMS).unwrap()
}

/// The estimators checked; each statistic is scale-free.
const ESTIMATORS: [&str; 9] =
    ["alpha", "kmo", "efa", "omega", "parallel", "icc", "cor", "ols slopes", "sem loadings"];

fn stat(name: &str, x: &Array2<f64>) -> surveystat::Result<Vec<f64>> {
    Ok(match name {
        "alpha" => vec![Alpha::new().fit(x)?.raw_alpha()],
        "kmo" => vec![Kmo::new().names(&ITEMS).fit(x)?.msa()],
        "efa" => Efa::new(3).fit(x)?.loadings().iter().map(|v| v.abs()).collect(),
        "omega" => vec![Omega::new().n_factors(3).fit(x)?.omega_h()],
        "parallel" => {
            ParallelAnalysis::new().replications(3).seed(1).fit(x)?.observed_components().to_vec()
        }
        "icc" => Icc::new().fit(x)?.rows().iter().map(|r| r.icc).collect(),
        "cor" => correlation(x, Missing::Pairwise)?.iter().copied().collect(),
        "ols slopes" => {
            let y = x.column(0).to_owned();
            let fit = Ols::new().fit(&x.slice(ndarray::s![.., 1..4]), &y)?;
            fit.coefficients().iter().skip(1).copied().collect()
        }
        "sem loadings" => {
            let fit = Sem::from_syntax("v =~ x1 + x2 + x3\nt =~ x4 + x5 + x6")?
                .fit_array(&x.slice(ndarray::s![.., 0..6]), &ITEMS[..6])?;
            let mut v: Vec<f64> =
                fit.parameters().iter().filter(|r| r.op == "=~").map(|r| r.est).collect();
            // scale-free fit measures
            for (name, value) in fit.fit_measures() {
                if ["cfi", "tli", "rmsea", "srmr", "chisq"].contains(&name.as_str()) {
                    v.push(*value);
                }
            }
            v
        }
        other => unreachable!("{other}"),
    })
}

#[test]
fn scaled_data_are_refused_or_agree() {
    let x = items();
    for name in ESTIMATORS {
        let base = stat(name, &x).unwrap_or_else(|e| panic!("{name}: {e}"));
        for s in [1e151, 1e150, 1e-150, 1e100, 1e-100] {
            let xs = x.mapv(|v| v * s);
            match stat(name, &xs) {
                // a typed refusal is allowed; beyond the accepted range it names the cause
                Err(e) => {
                    let msg = e.to_string();
                    assert!(!msg.is_empty());
                    if s > 1e150 {
                        assert!(msg.contains("rescale"), "{name}: {msg}");
                    }
                }
                Ok(v) => {
                    assert_eq!(v.len(), base.len(), "{name}");
                    for (a, b) in v.iter().zip(&base) {
                        assert!(
                            (a - b).abs() <= 1e-6 * b.abs().max(1.0),
                            "{name} at scale {s:e}: {a} vs {b}"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn values_beyond_the_range_are_refused_by_every_estimator() {
    let x = items();
    for s in [1e200, 1e-200, 1e300, 1e-300] {
        let xs = x.mapv(|v| v * s);
        for name in ESTIMATORS {
            let e = stat(name, &xs).err().unwrap_or_else(|| panic!("{name} accepted scale {s:e}"));
            let msg = e.to_string();
            assert!(msg.contains("rescale"), "{name} at scale {s:e}: {msg}");
        }
    }
}
