//! SEM benchmarks: HS CFA (with SEs and fit measures), PoliticalDemocracy, the study SEM;
//! Fisher scoring vs BFGS. lavaan timings on the same fits: benches/r/sem.R.

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use surveystat::data::Dataset;
use surveystat::sem::{Optimizer, Sem};

fn data(file: &str) -> Dataset {
    Dataset::from_csv_path(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/data").join(file),
    )
    .unwrap()
}

const HS: &str = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9";
const POLDEM: &str = "ind60 =~ x1 + x2 + x3
dem60 =~ y1 + a*y2 + b*y3 + c*y4
dem65 =~ y5 + a*y6 + b*y7 + c*y8
dem60 ~ ind60
dem65 ~ ind60 + dem60
y1 ~~ y5
y2 ~~ y4 + y6
y3 ~~ y7
y4 ~~ y8
y6 ~~ y8";
const STUDY: &str = "GS =~ GS1 + GS2 + GS3
ST =~ ST1 + ST2 + ST3 + ST4
AC =~ AC1 + AC2 + AC3 + AC4
MT =~ MT1 + MT2 + MT3
LP =~ LP1 + LP2 + LP3
IM =~ IM1 + IM2 + IM3
RS =~ RS1 + RS2 + RS3 + RS4
AC ~ a1*ST + g1*GS + i1*IM
MT ~ a2*ST + m1*AC
LP ~ a3*ST + m2*MT
RS ~ b1*AC + b2*MT + b3*LP
ind_ST_AC_RS := a1*b1
ind_ST_MT_RS := a2*b2
ind_ST_LP_RS := a3*b3
total_ST_RS := a1*b1 + a2*b2 + a3*b3 + a1*m1*b2 + a2*m2*b3 + a1*m1*m2*b3";

fn bench(c: &mut Criterion) {
    let hs = data("HolzingerSwineford1939.csv");
    let pd = data("PoliticalDemocracy.csv");
    let st = data("study_survey.csv");
    let mut g = c.benchmark_group("sem");
    for (name, model, d) in
        [("hs_cfa", HS, &hs), ("poldem", POLDEM, &pd), ("study_sem", STUDY, &st)]
    {
        for (oname, opt) in [
            ("auto", Optimizer::Auto),
            ("fisher", Optimizer::FisherScoring),
            ("bfgs", Optimizer::Bfgs),
        ] {
            let sem = Sem::from_syntax(model).unwrap().optimizer(opt);
            g.bench_function(format!("{name}/{oname}"), |b| {
                b.iter(|| black_box(sem.fit(black_box(d)).unwrap()))
            });
        }
    }
    // parse + fit + modification indices, the full lavaan `cfa(); modindices()` workflow
    let sem = Sem::from_syntax(HS).unwrap();
    g.bench_function("hs_cfa/fit_and_modindices", |b| {
        b.iter(|| {
            let f = sem.fit(black_box(&hs)).unwrap();
            black_box(f.modindices().unwrap())
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
