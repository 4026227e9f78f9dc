//! Measurement invariance: typed errors naming the problem.

use surveystat::Error;
use surveystat::data::Dataset;
use surveystat::sem::Sem;

fn data(groups: &[(&str, usize)]) -> Dataset {
    let mut csv = String::from("g,a,b,c\n");
    let mut k = 0u32;
    for (g, n) in groups {
        for _ in 0..*n {
            k += 1;
            let x = f64::from(k);
            csv.push_str(&format!(
                "{g},{},{},{}\n",
                (x * 0.7).sin(),
                (x * 1.3).cos(),
                (x * 2.9).sin() + 0.5 * (x * 0.7).sin()
            ));
        }
    }
    Dataset::from_csv_str(&csv, "test").unwrap()
}

fn sem() -> Sem {
    Sem::from_syntax("f =~ a + b + c").unwrap()
}

#[test]
fn one_level_grouping_column() {
    let e = sem().invariance("g").fit(&data(&[("only", 40)])).unwrap_err();
    assert!(matches!(e, Error::InvalidParameter { .. }), "{e}");
    let msg = e.to_string();
    assert!(msg.contains("`g`") && msg.contains("1 level") && msg.contains("only"), "{msg}");
}

#[test]
fn group_with_fewer_rows_than_variables() {
    let e = sem().invariance("g").fit(&data(&[("big", 40), ("small", 2)])).unwrap_err();
    assert!(matches!(e, Error::InvalidParameter { .. }), "{e}");
    let msg = e.to_string();
    assert!(msg.contains("group small") && msg.contains("2 complete rows"), "{msg}");
}

#[test]
fn unknown_grouping_column_and_bad_settings() {
    let d = data(&[("x", 30), ("y", 30)]);
    let e = sem().invariance("nosuch").fit(&d).unwrap_err();
    assert!(matches!(e, Error::UnknownVariable { .. }), "{e}");
    let e = sem().invariance("g").steps([]).fit(&d).unwrap_err();
    assert!(e.to_string().contains("no steps"), "{e}");
    for a in [0.0, 1.0, f64::NAN, -0.5] {
        let e = sem().invariance("g").alpha(a).fit(&d).unwrap_err();
        assert!(e.to_string().contains("significance level"), "{e}");
    }
}
