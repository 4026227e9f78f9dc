//! Fuzzing of the CSV reader inside `cargo test`: random bytes never panic, and a random numeric
//! table written as CSV (shortest round-trip decimal text, empty fields for missing values)
//! reads back exactly, bit for bit.

use proptest::prelude::*;
use surveystat::data::Dataset;

fn value() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => (-10_000i32..10_000).prop_map(|v| f64::from(v) / 16.0),
        2 => prop::num::f64::NORMAL,
        1 => prop::num::f64::SUBNORMAL,
        1 => Just(0.0),
        1 => Just(f64::NAN),
    ]
}

fn table() -> impl Strategy<Value = (usize, Vec<f64>)> {
    (1usize..6, 1usize..20).prop_flat_map(|(p, n)| (Just(p), prop::collection::vec(value(), n * p)))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let _ = Dataset::from_csv_reader(&bytes[..], "fuzz");
    }

    #[test]
    fn random_csv_like_text_never_panics(
        t in prop::collection::vec(
            prop::sample::select(&["a", "b", ",", ";", "\t", "\n", "\r\n", "\r", "\"", "1", "-2.5",
                "1e400", "NaN", "NA", "", " ", "\u{feff}", "满", "1,5", "\0"][..]),
            0..80)
    ) {
        let _ = Dataset::from_csv_str(&t.concat(), "fuzz");
    }

    #[test]
    fn a_written_numeric_table_reads_back_exactly((p, values) in table()) {
        let n = values.len() / p;
        // a column of missing values only has no type to read back: keep one value per column
        let mut values = values;
        for j in 0..p {
            if (0..n).all(|i| values[i * p + j].is_nan()) {
                values[j] = 1.0;
            }
        }
        // a row of one missing value is a blank line, which readers skip (as R's read.csv)
        if p == 1 {
            values.iter_mut().filter(|v| v.is_nan()).for_each(|v| *v = 0.5);
        }
        let names: Vec<String> = (0..p).map(|j| format!("v{j}")).collect();
        let mut text = names.join(",");
        text.push('\n');
        for i in 0..n {
            let row: Vec<String> = (0..p)
                .map(|j| {
                    let v = values[i * p + j];
                    if v.is_nan() { String::new() } else { format!("{v:e}") }
                })
                .collect();
            text.push_str(&row.join(","));
            text.push('\n');
        }
        let ds = Dataset::from_csv_str(&text, "roundtrip").unwrap_or_else(|e| panic!("{e}\n{text}"));
        prop_assert_eq!(ds.n_rows(), n);
        for (j, name) in names.iter().enumerate() {
            let col = ds.column(name).unwrap_or_else(|e| panic!("{e}\n{text}"));
            for i in 0..n {
                let (a, b) = (values[i * p + j], col[i]);
                prop_assert!(
                    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()),
                    "row {i} column {j}: wrote {a:e}, read {b:e}"
                );
            }
        }
    }
}
