use surveystat::data::Dataset;
use surveystat::sem::{Estimator, Sem};
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let d = Dataset::from_csv_path(&args[1]).unwrap();
    let model = std::fs::read_to_string(&args[2]).unwrap();
    let _ = Sem::from_syntax(&model).unwrap().estimator(Estimator::Uls).fit(&d).unwrap();
}
