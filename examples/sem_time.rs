use std::time::Instant;
use surveystat::data::Dataset;
use surveystat::moments::{Missing, Moments};
use surveystat::sem::{Optimizer, Sem};
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let d = Dataset::from_csv_path(&args[1]).unwrap();
    let model = std::fs::read_to_string(&args[2]).unwrap();
    for opt in [Optimizer::FisherScoring, Optimizer::Bfgs] {
        let sem = Sem::from_syntax(&model).unwrap().optimizer(opt);
        let f = sem.fit(&d).unwrap();
        println!(
            "{opt:?}: iterations {} reason {} grad {:.1e}",
            f.convergence().iterations,
            f.convergence().reason,
            f.gradient_max()
        );
        let n = 50;
        let t = Instant::now();
        for _ in 0..n {
            std::hint::black_box(sem.fit(&d).unwrap());
        }
        println!("  full fit {:.3} ms", t.elapsed().as_secs_f64() * 1000.0 / n as f64);
        let m = sem.compile().unwrap();
        let x = d.select(m.observed()).unwrap();
        let mo = Moments::from_data(&x, Missing::Listwise).unwrap();
        let t = Instant::now();
        for _ in 0..n {
            std::hint::black_box(m.estimate_moments(&mo, None).unwrap());
        }
        println!("  estimates only {:.3} ms", t.elapsed().as_secs_f64() * 1000.0 / n as f64);
        let t = Instant::now();
        for _ in 0..n {
            std::hint::black_box(m.fit_moments(&mo).unwrap());
        }
        println!("  fit_moments {:.3} ms", t.elapsed().as_secs_f64() * 1000.0 / n as f64);
        let th = f.coefficients().to_vec();
        let t = Instant::now();
        for _ in 0..n {
            std::hint::black_box(m.objective(&mo, &th).unwrap());
        }
        println!("  objective+grad {:.4} ms", t.elapsed().as_secs_f64() * 1000.0 / n as f64);
    }
}
