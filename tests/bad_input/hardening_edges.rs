//! Edge inputs read or refused like raw data: bare-CR line ends (read, as R's read.csv does),
//! covariance matrices at the edge of floating point (refused by name), bifactor ω on a model
//! that is not a bifactor model (typed error).

use ndarray::array;
use surveystat::data::Dataset;
use surveystat::error::Error;
use surveystat::sem::Sem;

#[test]
fn bare_carriage_return_lines_are_read() {
    let d = Dataset::from_csv_str("a,b\r1,2\r3,4.5\r", "cr").unwrap();
    assert_eq!(d.n_rows(), 2);
    assert_eq!(d.column("b").unwrap().to_vec(), vec![2.0, 4.5]);
    // a header ended by \r\n but data rows by bare \r, and a last line without any end
    let d = Dataset::from_csv_str("a,b\r\n1,2\r3,4\r5,6", "mixed").unwrap();
    assert_eq!(d.n_rows(), 3);
    assert_eq!(d.column("a").unwrap().to_vec(), vec![1.0, 3.0, 5.0]);
}

#[test]
fn covariance_input_beyond_the_representable_range_is_refused() {
    let sem = Sem::from_syntax("f =~ x1 + x2 + x3").unwrap();
    let names = ["x1", "x2", "x3"];
    let huge = array![[1e302, 5e301, 4e301], [5e301, 1e302, 3e301], [4e301, 3e301, 1e302]];
    let e = sem.fit_cov(&huge, &names, 100).unwrap_err();
    assert!(matches!(e, Error::InvalidParameter { .. }), "{e}");
    assert!(e.to_string().contains("rescale"), "{e}");
    let tiny = huge.mapv(|v| v * 1e-302 * 1e-302);
    let e = sem.fit_cov(&tiny, &names, 100).unwrap_err();
    assert!(e.to_string().contains("rescale"), "{e}");
    let e = surveystat::moments::cov_to_cor(&huge).unwrap_err();
    assert!(e.to_string().contains("rescale"), "{e}");
    // 1e±140 standard deviations are still fine for the check itself
    let ok = huge.mapv(|v| v * 1e-22);
    assert!(surveystat::moments::cov_to_cor(&ok).is_ok());
}

#[test]
fn bifactor_omega_on_a_plain_cfa_is_a_typed_error() {
    let d = Dataset::from_csv_path(crate::common::fixture_path("data/HolzingerSwineford1939.csv"))
        .unwrap();
    let fit = Sem::from_syntax("a =~ x1 + x2 + x3\nb =~ x4 + x5 + x6").unwrap().fit(&d).unwrap();
    assert!(matches!(fit.omega_bifactor("a"), Err(Error::InvalidParameter { .. })));
    assert!(matches!(fit.omega_bifactor("zz"), Err(Error::UnknownVariable { .. })));
}
