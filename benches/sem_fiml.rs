//! FIML benchmark: the HS 3-factor CFA on HS_missing10.csv (10% of x1..x9 missing) fitted by
//! full-information ML from the raw data — patterns, saturated EM (h1), BFGS, observed-information
//! SEs and all fit measures, as lavaan's `cfa(model, data, missing = "ml")`; listwise deletion on
//! the same data for comparison. lavaan timings on the same fits: benches/r/sem_fiml.R.

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use surveystat::data::Dataset;
use surveystat::sem::{Sem, SemMissing};

const HS: &str = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9";

fn bench(c: &mut Criterion) {
    let d = Dataset::from_csv_path(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/data/HS_missing10.csv"),
    )
    .unwrap();
    let mut g = c.benchmark_group("fiml");
    let fiml = Sem::from_syntax(HS).unwrap().missing(SemMissing::Fiml);
    g.bench_function("hs_cfa_fiml", |b| b.iter(|| black_box(fiml.fit(black_box(&d)).unwrap())));
    let lw = Sem::from_syntax(HS).unwrap();
    g.bench_function("hs_cfa_listwise", |b| b.iter(|| black_box(lw.fit(black_box(&d)).unwrap())));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
