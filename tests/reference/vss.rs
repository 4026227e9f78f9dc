//! Velicer's MAP and VSS complexity 1 and 2 against R psych 2.2.9 `VSS` on Harman74
//! (tests/fixtures/extra/vss.R). All three are closed forms (MAP of R; VSS fit of psych's own
//! loadings of each k-factor solution): relative error ≤ TOL_CLOSED_FORM.

use crate::common::{TOL_CLOSED_FORM, assert_rel, f, fixture_path};
use ndarray::Array2;
use serde_json::Value;
use surveystat::data::Dataset;
use surveystat::factor::{velicer_map, vss_fit};

fn vecf(v: &Value) -> Vec<f64> {
    v.as_array().expect("array").iter().map(f).collect()
}

#[test]
fn map_and_vss_harman74_against_psych() {
    let all: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture_path("extra/vss.json")).unwrap())
            .unwrap();
    let c = &all["harman74"];
    let d = Dataset::from_csv_path(fixture_path("extra/harman74_cor.csv")).expect("harman74");
    let r = d.select(&d.numeric_names()).expect("numeric");
    let map = velicer_map(&r, 8).unwrap();
    for (m, (&a, b)) in map.iter().zip(vecf(&c["map"])).enumerate() {
        assert_rel(&format!("map[{}]", m + 1), a, b, TOL_CLOSED_FORM);
    }
    let cfit1 = vecf(&c["cfit1"]);
    let cfit2 = vecf(&c["cfit2"]);
    for (k, lv) in c["loadings"].as_array().unwrap().iter().enumerate() {
        let rows: Vec<Vec<f64>> = lv.as_array().unwrap().iter().map(vecf).collect();
        let l = Array2::from_shape_fn((rows.len(), rows[0].len()), |(i, j)| rows[i][j]);
        let v1 = vss_fit(&r, &l, None, 1, false).unwrap();
        assert_rel(&format!("cfit1[{}]", k + 1), v1, cfit1[k], TOL_CLOSED_FORM);
        if k >= 1 {
            let v2 = vss_fit(&r, &l, None, 2, false).unwrap();
            assert_rel(&format!("cfit2[{}]", k + 1), v2, cfit2[k], TOL_CLOSED_FORM);
        }
    }
    assert!(vss_fit(&r, &Array2::zeros((3, 2)), None, 1, false).is_err());
    assert!(velicer_map(&r, 0).is_err());
}
