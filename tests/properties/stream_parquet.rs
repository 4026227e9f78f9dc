//! Streaming a Parquet file (feature `parquet`) row group by row group gives the moments and the
//! OLS fit of the same file read whole into memory (tests/fixtures/extra/formats/stream.parquet:
//! 3000 rows in row groups of 700, with nulls; make_stream_parquet.py). Without the feature the
//! streamed route names it.

use surveystat::data::{CsvOptions, stream_moments, stream_qr};
use surveystat::error::Error;

use crate::common::fixture_path;

fn path() -> std::path::PathBuf {
    fixture_path("extra/formats/stream.parquet")
}

#[cfg(feature = "parquet")]
#[test]
fn parquet_streams_to_the_in_memory_fits() {
    use surveystat::data::Dataset;
    use surveystat::moments::{Missing, Moments};
    use surveystat::regression::Ols;
    use surveystat::reliability::Alpha;
    let close = |what: &str, a: f64, b: f64| {
        let d = (a - b).abs();
        assert!(d <= 1e-12 * a.abs().max(b.abs()) || d == 0.0, "{what}: {a} vs {b}");
    };
    let ds = Dataset::from_path(path(), &CsvOptions::new()).unwrap();
    let cols = ["x1", "x2", "x3", "y", "n"];
    let x = ds.select(&cols).unwrap();
    let mem = Moments::from_data(&x, Missing::Listwise).unwrap();
    let s = stream_moments(path(), &cols, &CsvOptions::new()).unwrap();
    assert_eq!(s.rows_read(), 3000);
    let m = s.moments().unwrap();
    assert_eq!(m.n_obs(), mem.n_obs());
    assert_eq!(m.n_dropped(), mem.n_dropped());
    assert!(m.n_dropped() > 0);
    for (a, b) in m.cov().iter().zip(mem.cov()) {
        close("cov", *a, *b);
    }
    for (a, b) in m.means().iter().zip(mem.means()) {
        close("mean", *a, *b);
    }
    let a = Alpha::new().fit_moments(&m).unwrap();
    let b = Alpha::new().missing(Missing::Listwise).fit(&x).unwrap();
    close("alpha", a.raw_alpha(), b.raw_alpha());

    let q = stream_qr(path(), "y", &["x1", "x2", "x3"], &CsvOptions::new()).unwrap();
    let ols = Ols::new().names(&["x1", "x2", "x3"]).response("y");
    let fit = ols.fit_qr(q.accumulator()).unwrap();
    let xs = ds.select(&["x1", "x2", "x3"]).unwrap();
    let y = ds.column("y").unwrap().to_owned();
    let fit_mem = ols.fit(&xs, &y).unwrap();
    assert_eq!(fit.n_obs(), fit_mem.n_obs());
    assert_eq!(fit.n_dropped(), fit_mem.n_dropped());
    for k in 0..4 {
        close("coef", fit.coefficients()[k], fit_mem.coefficients()[k]);
        close("se", fit.std_errors()[k], fit_mem.std_errors()[k]);
    }
    close("r2", fit.r_squared(), fit_mem.r_squared());

    let text = stream_moments(path(), &["x1", "region"], &CsvOptions::new());
    assert!(matches!(text, Err(Error::NonNumericColumn { .. })), "{text:?}");
    let unknown = stream_moments(path(), &["x1", "nope"], &CsvOptions::new());
    assert!(matches!(unknown, Err(Error::UnknownVariable { .. })));
}

#[cfg(not(feature = "parquet"))]
#[test]
fn parquet_streaming_names_the_feature() {
    let m = stream_moments(path(), &["x1", "x2"], &CsvOptions::new());
    assert!(matches!(m, Err(Error::FormatNotEnabled { .. })), "{m:?}");
    let q = stream_qr(path(), "y", &["x1"], &CsvOptions::new());
    assert!(matches!(q, Err(Error::FormatNotEnabled { .. })));
}
