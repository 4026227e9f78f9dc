//! Data layer and moments against identities and hand-computed values.

use crate::common;

use surveystat::moments::{Missing, MomentAccumulator, Moments};

#[test]
fn holzinger_reads_with_label_column() {
    let ds = common::load_data("HolzingerSwineford1939.csv");
    assert_eq!(ds.n_rows(), 301);
    assert!(!ds.is_numeric("school").unwrap());
    let x = ds.select(&["x1", "x2", "x3"]).unwrap();
    let m = Moments::from_data(&x, Missing::Listwise).unwrap();
    let acc = MomentAccumulator::from_par_chunks(&x, 17).unwrap();
    let c = acc.covariance().unwrap();
    for (a, b) in c.iter().zip(m.cov().iter()) {
        assert!((a - b).abs() < 1e-12 * b.abs().max(1.0));
    }
}
