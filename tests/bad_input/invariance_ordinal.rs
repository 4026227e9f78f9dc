//! The ordinal invariance ladder: the partial-invariance search is a typed error naming the
//! ordered indicators (it is not available for them), never a failure deep inside a refit.

use crate::common::load_data;
use surveystat::Error;
use surveystat::sem::{PartialRule, Sem};

#[test]
fn ordinal_partial_search_is_refused() {
    let data = load_data("HS_ordinal_school.csv");
    let cfa = "vis =~ o1 + o2 + o3\ntex =~ o4 + o5 + o6\nspd =~ o7 + o8 + o9";
    let inv = Sem::from_syntax(cfa).unwrap().ordered_all().invariance("school");
    let fit = inv.fit(&data).unwrap();
    let r = inv.partial_search(&data, &fit, PartialRule::Lrt);
    assert!(
        matches!(r, Err(Error::InvalidParameter { ref name, .. }) if name == "ordered"),
        "{r:?}"
    );
}
