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

/// A CSV of several MiB (many parallel chunks, several batches) reads back exactly: values,
/// source lines (blank lines and quoted newlines counted), a column that turns to text only near
/// the end, and the same table from a stream read in odd-sized pieces.
#[test]
fn multi_chunk_csv_reads_back_exactly() {
    use surveystat::data::Dataset;
    let n = 150_000usize;
    let mut text = String::from("id,likert,x,note,late\n");
    let mut line = 2u64;
    let mut lines = Vec::with_capacity(n);
    for i in 0..n {
        if i % 9_999 == 5 {
            text.push_str("\r\n");
            line += 1;
        }
        lines.push(line);
        let note =
            if i % 50_000 == 7 { "\"two\nlines\"".to_string() } else { format!("n{}", i % 3) };
        let late = if i == n - 10 { "x".to_string() } else { (i % 4).to_string() };
        let x = i as f64 / 3.0;
        text.push_str(&format!("{i},{},{x},{note},{late}\n", i % 7));
        line += if i % 50_000 == 7 { 2 } else { 1 };
    }
    let ds = Dataset::from_csv_str(&text, "big.csv").unwrap();
    assert_eq!(ds.n_rows(), n);
    assert_eq!(ds.row_lines(), &lines[..]);
    for i in (0..n).step_by(997).chain([n - 1]) {
        assert_eq!(ds.column("id").unwrap()[i], i as f64);
        assert_eq!(ds.column("likert").unwrap()[i], (i % 7) as f64);
        assert_eq!(ds.column("x").unwrap()[i], i as f64 / 3.0);
    }
    let notes = ds.labels("note").unwrap();
    assert_eq!(notes[7], "two\nlines");
    assert_eq!(notes[8], "n2");
    let late = ds.labels("late").unwrap();
    assert_eq!((late[5].as_str(), late[n - 10].as_str()), ("1", "x"));
    match ds.column("late") {
        Err(surveystat::Error::NonNumericColumn { line, value, .. }) => {
            assert_eq!((line, value.as_str()), (lines[n - 10], "x"));
        }
        other => panic!("{other:?}"),
    }
    // The same bytes through a reader that returns odd-sized pieces.
    struct Dribble<'a>(&'a [u8]);
    impl std::io::Read for Dribble<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let k = self.0.len().min(buf.len()).min(7_919);
            buf[..k].copy_from_slice(&self.0[..k]);
            self.0 = &self.0[k..];
            Ok(k)
        }
    }
    let streamed = Dataset::from_csv_reader(Dribble(text.as_bytes()), "big.csv").unwrap();
    assert_eq!(streamed.row_lines(), ds.row_lines());
    assert_eq!(streamed.labels("late").unwrap(), late);
    assert_eq!(streamed.labels("note").unwrap(), notes);
}
