//! Benchmarks of the reporting pieces: descriptives of the study survey (612 × 24, as
//! `psych::describe`), and the path diagram of the study model (layout + SVG, DOT), plus a
//! Markdown rendering of the descriptives. Data are built outside the timed closures.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use surveystat::data::Dataset;
use surveystat::describe::{Describe, ValueCounts};
use surveystat::diagram::PathDiagram;
use surveystat::report::Report;

fn study_diagram() -> PathDiagram {
    let constructs: [(&str, &[&str]); 7] = [
        ("GS", &["GS1", "GS2", "GS3"]),
        ("ST", &["ST1", "ST2", "ST3", "ST4"]),
        ("AC", &["AC1", "AC2", "AC3", "AC4"]),
        ("MT", &["MT1", "MT2", "MT3"]),
        ("LP", &["LP1", "LP2", "LP3"]),
        ("IM", &["IM1", "IM2", "IM3"]),
        ("RS", &["RS1", "RS2", "RS3", "RS4"]),
    ];
    let mut d = PathDiagram::new();
    for (f, items) in constructs {
        d.latent(f);
        for i in items {
            d.observed(*i).loading(f, i, "0.75***");
        }
    }
    for (a, b) in [
        ("ST", "AC"),
        ("GS", "AC"),
        ("IM", "AC"),
        ("ST", "MT"),
        ("AC", "MT"),
        ("ST", "LP"),
        ("MT", "LP"),
        ("AC", "RS"),
        ("MT", "RS"),
        ("LP", "RS"),
    ] {
        d.regression(a, b, "0.35***");
    }
    d.covariance("ST", "GS", "0.30").covariance("ST", "IM", "0.30").covariance("GS", "IM", "0.30");
    d
}

fn bench(c: &mut Criterion) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/data/study_survey.csv");
    let ds = Dataset::from_csv_path(path).expect("study data");
    let items: Vec<String> = ds.names()[2..].to_vec();
    c.bench_function("describe_study_612x24", |b| {
        b.iter(|| Describe::new().fit(black_box(&ds), black_box(&items)).unwrap())
    });
    c.bench_function("describe_study_612x24_counts_region", |b| {
        b.iter(|| {
            Describe::new()
                .value_counts(ValueCounts::likert(1, 5))
                .tabulate("region")
                .fit(black_box(&ds), black_box(&items))
                .unwrap()
        })
    });
    let desc = Describe::new().value_counts(ValueCounts::likert(1, 5)).fit(&ds, &items).unwrap();
    c.bench_function("markdown_descriptives", |b| {
        b.iter(|| {
            let mut r = Report::new();
            r.section("Sample").summary(&black_box(&desc).summary());
            r.to_markdown()
        })
    });
    let d = study_diagram();
    c.bench_function("diagram_study_svg", |b| b.iter(|| black_box(&d).to_svg().unwrap()));
    c.bench_function("diagram_study_dot", |b| b.iter(|| black_box(&d).to_dot().unwrap()));
}

criterion_group!(benches, bench);
criterion_main!(benches);
