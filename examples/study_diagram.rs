//! Draw the research model of the Chengdu–Chongqing study (hypotheses H1–H10) as a path diagram:
//! `cargo run --release --example study_diagram [OUT_DIR]` writes `study_model.svg` and
//! `study_model.dot` (default OUT_DIR: `docs`).
//!
//! The labels are the hypotheses with their expected signs; loadings, covariances and R² are the
//! population values of the simulated design (tests/fixtures/expected/study_*.json,
//! `data_generation`). The fitted model's standardized coefficients replace them in the study
//! report.

use surveystat::diagram::PathDiagram;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args().nth(1).unwrap_or_else(|| "docs".to_string());
    let constructs: [(&str, &[(&str, f64)]); 7] = [
        ("GS", &[("GS1", 0.78), ("GS2", 0.72), ("GS3", 0.81)]),
        ("ST", &[("ST1", 0.70), ("ST2", 0.76), ("ST3", 0.82), ("ST4", 0.68)]),
        ("AC", &[("AC1", 0.74), ("AC2", 0.80), ("AC3", 0.71), ("AC4", 0.77)]),
        ("MT", &[("MT1", 0.79), ("MT2", 0.73), ("MT3", 0.69)]),
        ("LP", &[("LP1", 0.75), ("LP2", 0.82), ("LP3", 0.66)]),
        ("IM", &[("IM1", 0.72), ("IM2", 0.78), ("IM3", 0.70)]),
        ("RS", &[("RS1", 0.76), ("RS2", 0.81), ("RS3", 0.69), ("RS4", 0.74)]),
    ];
    let mut d = PathDiagram::new();
    d.title("Research model: hypotheses H1–H10 (population values of the simulated design)");
    for (f, items) in constructs {
        d.latent(f);
        for (i, _) in items {
            d.observed(*i);
        }
    }
    for (f, items) in constructs {
        for (i, l) in items {
            d.loading(f, i, &format!("{l:.2}"));
        }
    }
    let paths = [
        ("H1", "ST", "AC", "+"),
        ("H2", "GS", "AC", "+"),
        ("H3", "IM", "AC", "+"),
        ("H4", "ST", "MT", "+"),
        ("H5", "AC", "MT", "+"),
        ("H6", "ST", "LP", "−"),
        ("H7", "MT", "LP", "−"),
        ("H8", "AC", "RS", "+"),
        ("H9", "MT", "RS", "+"),
        ("H10", "LP", "RS", "−"),
    ];
    for (h, from, to, sign) in paths {
        d.regression(from, to, &format!("{h} ({sign})"));
    }
    d.covariance("ST", "GS", "0.30").covariance("ST", "IM", "0.30").covariance("GS", "IM", "0.30");
    for (f, r2) in [("AC", 0.3495), ("MT", 0.3298), ("LP", 0.19564), ("RS", 0.406308)] {
        d.r_squared(f, r2);
    }
    std::fs::create_dir_all(&out)?;
    std::fs::write(format!("{out}/study_model.svg"), d.to_svg()?)?;
    std::fs::write(format!("{out}/study_model.dot"), d.to_dot()?)?;
    println!("wrote {out}/study_model.svg and {out}/study_model.dot");
    Ok(())
}
