//! The gradient a constrained FIML fit reports is the one that vanishes at a constrained
//! optimum (of the problem reduced to the constraints' null space, or of the augmented
//! Lagrangian), as for complete data; the gradient of −ℓ/n itself does not vanish there when
//! a constraint binds. The estimates are lavaan's (tests/reference/constraints_more.rs).

use crate::common::*;
use surveystat::sem::{Sem, SemMissing};

const HS3: &str = "visual =~ x1 + a*x2 + b*x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9";

fn grad(constraint: &str) -> (f64, f64) {
    let data = load_data("HS_missing10.csv");
    let fit = Sem::from_syntax(&format!("{HS3}\n{constraint}"))
        .unwrap()
        .missing(SemMissing::Fiml)
        .fit(&data)
        .unwrap();
    assert!(fit.convergence().converged);
    let a = fit.parameters().iter().find(|p| p.label == "a").unwrap().est;
    let b = fit.parameters().iter().find(|p| p.label == "b").unwrap().est;
    (fit.gradient_max(), a - b)
}

#[test]
fn constrained_fiml_reports_the_constrained_gradient() {
    // linear equality (binding: a and b differ by about 0.2 without it)
    let (g, d) = grad("a == b");
    assert!(d.abs() < 1e-10);
    assert!(g < 1e-6, "linear: {g}");
    // nonlinear equality (augmented Lagrangian)
    let (g, _) = grad("a == b^2");
    assert!(g < 1e-6, "nonlinear: {g}");
    // an active inequality
    let (g, d) = grad("a > b");
    assert!(d > -1e-10);
    assert!(g < 1e-6, "inequality: {g}");
}
