use super::*;

/// Rosenbrock's function; its minimum is 0 at (1, 1).
struct Rosenbrock;

impl Problem for Rosenbrock {
    fn value(&mut self, x: &[f64]) -> Option<f64> {
        Some(100.0 * (x[1] - x[0] * x[0]).powi(2) + (1.0 - x[0]).powi(2))
    }
    fn gradient(&mut self, x: &[f64], g: &mut [f64]) -> bool {
        g[0] = -400.0 * x[0] * (x[1] - x[0] * x[0]) - 2.0 * (1.0 - x[0]);
        g[1] = 200.0 * (x[1] - x[0] * x[0]);
        true
    }
    fn information(&mut self, x: &[f64], h: &mut [f64]) -> bool {
        // the exact Hessian (positive definite near the minimum)
        h[0] = 1200.0 * x[0] * x[0] - 400.0 * x[1] + 2.0;
        h[1] = -400.0 * x[0];
        h[2] = h[1];
        h[3] = 200.0;
        true
    }
}

/// (x0 − 2)² + 10 (x1 + 1)² + (x0 − x1)²; on [0, 1]² the minimum is at (1, 0) (KKT: the
/// gradient there is (0, 18), pointing out of the box at x1 = 0).
struct BoundedQuadratic;

impl Problem for BoundedQuadratic {
    fn value(&mut self, x: &[f64]) -> Option<f64> {
        Some((x[0] - 2.0).powi(2) + 10.0 * (x[1] + 1.0).powi(2) + (x[0] - x[1]).powi(2))
    }
    fn gradient(&mut self, x: &[f64], g: &mut [f64]) -> bool {
        g[0] = 2.0 * (x[0] - 2.0) + 2.0 * (x[0] - x[1]);
        g[1] = 20.0 * (x[1] + 1.0) - 2.0 * (x[0] - x[1]);
        true
    }
}

/// Negative log-likelihood of a logistic regression on one binary predictor. With successes
/// `s0` of `n0` at x = 0 and `s1` of `n1` at x = 1 the MLE is closed-form:
/// `b0 = logit(s0/n0)`, `b1 = logit(s1/n1) − logit(s0/n0)`.
struct Logistic {
    cells: [(f64, f64, f64); 2], // (x, successes, trials)
}

impl Logistic {
    fn probs(&self, b: &[f64]) -> [f64; 2] {
        self.cells.map(|(x, _, _)| 1.0 / (1.0 + (-(b[0] + b[1] * x)).exp()))
    }
}

impl Problem for Logistic {
    fn value(&mut self, b: &[f64]) -> Option<f64> {
        let p = self.probs(b);
        let ll: f64 = self
            .cells
            .iter()
            .zip(p)
            .map(|(&(_, s, n), p)| s * p.ln() + (n - s) * (-p).ln_1p())
            .sum();
        ll.is_finite().then_some(-ll)
    }
    fn gradient(&mut self, b: &[f64], g: &mut [f64]) -> bool {
        let p = self.probs(b);
        g[0] = 0.0;
        g[1] = 0.0;
        for (&(x, s, n), p) in self.cells.iter().zip(p) {
            let r = n * p - s;
            g[0] += r;
            g[1] += r * x;
        }
        true
    }
    fn information(&mut self, b: &[f64], h: &mut [f64]) -> bool {
        let p = self.probs(b);
        h.fill(0.0);
        for (&(x, _, n), p) in self.cells.iter().zip(p) {
            let w = n * p * (1.0 - p);
            h[0] += w;
            h[1] += w * x;
            h[3] += w * x * x;
        }
        h[2] = h[1];
        true
    }
}

fn logistic() -> (Logistic, [f64; 2]) {
    let logit = |p: f64| (p / (1.0 - p)).ln();
    let (s0, n0, s1, n1) = (12.0, 40.0, 31.0, 45.0);
    let b0 = logit(s0 / n0);
    (Logistic { cells: [(0.0, s0, n0), (1.0, s1, n1)] }, [b0, logit(s1 / n1) - b0])
}

#[test]
fn bfgs_rosenbrock() {
    // no information: identity start
    struct NoInfo(Rosenbrock);
    impl Problem for NoInfo {
        fn value(&mut self, x: &[f64]) -> Option<f64> {
            self.0.value(x)
        }
        fn gradient(&mut self, x: &[f64], g: &mut [f64]) -> bool {
            self.0.gradient(x, g)
        }
    }
    let opts = Options { gtol: 1e-9, ..Options::default() };
    let out = bfgs(&mut NoInfo(Rosenbrock), &[-1.2, 1.0], &opts);
    assert!(out.converged, "{out:?}");
    assert!((out.x[0] - 1.0).abs() < 1e-8 && (out.x[1] - 1.0).abs() < 1e-8, "{out:?}");
    assert!(out.iterations < 200);
}

#[test]
fn scoring_rosenbrock_newton() {
    let out = scoring(&mut Rosenbrock, &[-1.2, 1.0], &Options::default());
    assert!(out.converged, "{out:?}");
    assert!((out.x[0] - 1.0).abs() < 1e-9 && (out.x[1] - 1.0).abs() < 1e-9, "{out:?}");
}

#[test]
fn box_bfgs_bounded_quadratic() {
    let opts = Options { gtol: 1e-12, ftol_rel: 0.0, max_iter: 200, ..Options::default() };
    let out = box_bfgs(&mut BoundedQuadratic, &[0.5, 0.5], &[0.0, 0.0], &[1.0, 1.0], &opts);
    assert!(out.converged && out.termination == Termination::Gradient, "{out:?}");
    assert!((out.x[0] - 1.0).abs() < 1e-12 && out.x[1].abs() < 1e-12, "{:?}", out.x);
    // with a wide box the unconstrained minimum (4/7, −6/7) is found
    let out = box_bfgs(&mut BoundedQuadratic, &[0.0, 0.0], &[-5.0; 2], &[5.0; 2], &opts);
    let mut g = [0.0; 2];
    BoundedQuadratic.gradient(&out.x, &mut g);
    assert!(out.converged && max_abs(&g) < 1e-12, "{out:?}");
    assert!(
        (out.x[0] - 4.0 / 7.0).abs() < 1e-12 && (out.x[1] + 6.0 / 7.0).abs() < 1e-12,
        "{:?}",
        out.x
    );
}

#[test]
fn box_bfgs_rosenbrock_interior() {
    let opts = Options { gtol: 1e-10, ftol_rel: 0.0, max_iter: 1000, ..Options::default() };
    let out = box_bfgs(&mut Rosenbrock, &[-1.2, 1.0], &[-5.0; 2], &[5.0; 2], &opts);
    assert!(out.converged, "{out:?}");
    assert!((out.x[0] - 1.0).abs() < 1e-8 && (out.x[1] - 1.0).abs() < 1e-8);
}

#[test]
fn logistic_mle_by_scoring_and_bfgs() {
    let (mut prob, mle) = logistic();
    for out in [
        scoring(&mut prob, &[0.0, 0.0], &Options::default()),
        bfgs(&mut prob, &[0.0, 0.0], &Options::default()),
    ] {
        // value-based stops leave x within about √ε of the optimum; the value itself is at the
        // closed-form optimum's to rounding
        assert!(out.converged, "{out:?}");
        for k in 0..2 {
            assert!((out.x[k] - mle[k]).abs() < 1e-6 * (1.0 + mle[k].abs()), "{out:?} vs {mle:?}");
        }
        let f_mle = prob.value(&mle).unwrap();
        assert!(out.f <= f_mle + 1e-14 * f_mle.abs(), "{} vs {f_mle}", out.f);
    }
    // a gradient stop reaches the closed form to 1e-9
    let opts = Options { xtol: 0.0, ftol_rel: 0.0, gtol: 1e-9, ..Options::default() };
    let out = bfgs(&mut prob, &[0.0, 0.0], &opts);
    assert_eq!(out.termination, Termination::Gradient, "{out:?}");
    for k in 0..2 {
        assert!((out.x[k] - mle[k]).abs() < 1e-9 * (1.0 + mle[k].abs()), "{out:?} vs {mle:?}");
    }
}

#[test]
fn undefined_start_and_iteration_limit_are_reported() {
    struct Undefined;
    impl Problem for Undefined {
        fn value(&mut self, _: &[f64]) -> Option<f64> {
            None
        }
        fn gradient(&mut self, _: &[f64], _: &mut [f64]) -> bool {
            false
        }
    }
    let o = Options::default();
    assert_eq!(bfgs(&mut Undefined, &[1.0], &o).termination, Termination::NonFinite);
    assert_eq!(scoring(&mut Undefined, &[1.0], &o).termination, Termination::NonFinite);
    assert_eq!(
        box_bfgs(&mut Undefined, &[1.0], &[0.0], &[2.0], &o).termination,
        Termination::NonFinite
    );
    let o = Options { max_iter: 3, ..Options::default() };
    let out = bfgs(&mut Rosenbrock, &[-1.2, 1.0], &o);
    assert_eq!(
        (out.termination, out.converged, out.iterations),
        (Termination::MaxIterations, false, 3)
    );
}
