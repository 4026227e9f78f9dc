//! Profiling loop for EFA on bfi: `efa_prof [def|id|ml|big] [reps]` (`big`: identity-start fits
//! of target/factor_bench_5000x60.csv, written by `cargo bench --bench factor`).
use std::time::Instant;
use surveystat::data::Dataset;
use surveystat::factor::{Efa, Extraction, Rotation};
fn main() {
    let bfi = Dataset::from_csv_path(format!(
        "{}/tests/fixtures/data/bfi25_listwise.csv",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let names: Vec<String> = bfi.names()[1..].to_vec();
    let x = bfi.select(&names).unwrap();
    let mode = std::env::args().nth(1).unwrap_or_default();
    let reps: usize = std::env::args().nth(2).and_then(|s| s.parse().ok()).unwrap_or(500);
    if mode == "big" {
        let x = Dataset::from_csv_path(format!(
            "{}/target/factor_bench_5000x60.csv",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        let names: Vec<String> = x.names().to_vec();
        let x = x.select(&names).unwrap();
        let t = Instant::now();
        for _ in 0..reps {
            std::hint::black_box(Efa::new(6).random_starts(0).fit(&x).unwrap());
        }
        eprintln!("big: {:.3} ms/fit", t.elapsed().as_secs_f64() * 1e3 / reps as f64);
        return;
    }
    let t = Instant::now();
    for _ in 0..reps {
        let f = match mode.as_str() {
            "ml" => Efa::new(5).extraction(Extraction::Ml).rotation(Rotation::Varimax).fit(&x),
            "id" => Efa::new(5).random_starts(0).fit(&x),
            _ => Efa::new(5).fit(&x),
        }
        .unwrap();
        std::hint::black_box(f);
    }
    eprintln!("{mode}: {:.3} ms/fit", t.elapsed().as_secs_f64() * 1e3 / reps as f64);
}
