use surveystat::data::Dataset;
use surveystat::sem::Sem;
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let d = Dataset::from_csv_path(&args[1]).unwrap();
    let model = std::fs::read_to_string(&args[2]).unwrap();
    let fit = Sem::from_syntax(&model).unwrap().allow_nonconverged(true).fit(&d).unwrap();
    println!("{fit}");
    println!("{:?}", fit.convergence());
    println!("S={:?}\nSigma={:?}", fit.sample_cov(), fit.implied_cov());
    println!("{:?}", fit.fit_measures().iter().take(5).collect::<Vec<_>>());
}
#[allow(dead_code)]
fn unused() {}
