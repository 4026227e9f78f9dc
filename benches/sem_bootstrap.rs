//! SEM bootstrap benchmarks: HS CFA 1 000 replications (percentile; BCa with the n-row
//! jackknife), the study SEM 5 000 replications + BCa. lavaan timings: benches/r/sem_bootstrap.R.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use surveystat::data::Dataset;
use surveystat::sem::{BootstrapCi, Sem, SemBootstrap};

fn data(file: &str) -> Dataset {
    Dataset::from_csv_path(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/data").join(file),
    )
    .unwrap()
}

const HS: &str = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9";
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
ind_ST_AC_MT_RS := a1*m1*b2
ind_ST_MT_LP_RS := a2*m2*b3
ind_ST_AC_MT_LP_RS := a1*m1*m2*b3
total_ST_RS := a1*b1 + a2*b2 + a3*b3 + a1*m1*b2 + a2*m2*b3 + a1*m1*m2*b3";

fn bench(c: &mut Criterion) {
    let hs = data("HolzingerSwineford1939.csv");
    let fit = Sem::from_syntax(HS).unwrap().fit(&hs).unwrap();
    let mut g = c.benchmark_group("sem_bootstrap");
    g.sample_size(10);
    let perc = SemBootstrap::new(1000).seed(1).jackknife(false);
    g.bench_function("hs_cfa_1000_percentile", |b| {
        b.iter(|| black_box(fit.bootstrap(&hs, &perc).unwrap()))
    });
    let bca = SemBootstrap::new(1000).seed(1).ci(BootstrapCi::Bca);
    g.bench_function("hs_cfa_1000_bca", |b| {
        b.iter(|| black_box(fit.bootstrap(&hs, &bca).unwrap()))
    });
    g.measurement_time(Duration::from_secs(20));
    let study = data("study_survey.csv");
    let sfit = Sem::from_syntax(STUDY).unwrap().fit(&study).unwrap();
    let sb = SemBootstrap::new(5000).seed(1).ci(BootstrapCi::Bca);
    g.bench_function("study_sem_5000_bca", |b| {
        b.iter(|| black_box(sfit.bootstrap(&study, &sb).unwrap()))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
