use std::time::Instant;
use surveystat::data::Dataset;
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
        let t = Instant::now();
        let n = 50;
        for _ in 0..n {
            std::hint::black_box(sem.fit(&d).unwrap());
        }
        println!("  {:.3} ms per fit", t.elapsed().as_secs_f64() * 1000.0 / n as f64);
        let m = sem.compile().unwrap();
        let t = Instant::now();
        for _ in 0..n {
            std::hint::black_box(m.clone());
        }
        println!("  compile clone {:.3} ms", t.elapsed().as_secs_f64() * 1000.0 / n as f64);
    }
}
