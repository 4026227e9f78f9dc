//! Reproduce the quantitative analysis of the Chengdu–Chongqing study on the survey embedded in
//! the crate, and print it as a paper's results section.
//!
//! ```text
//! cargo run --release --example reproduce_study [-- OPTIONS]
//!   --report out.md   also write the results as Markdown (with the path diagram next to it as SVG)
//!   --json            print one JSON object (reliability, kmo, efa, cfa, sem, mediation, ols, …) instead of text
//!   --svg out.svg     write the path diagram of the fitted model as SVG (pure Rust)
//!   --dot [out.dot]   write (or print) the path diagram as Graphviz DOT
//!   --bootstrap N     bootstrap replications (default 5000)
//!   --seed S          seed of the bootstrap and the parallel analysis (default 20261126)
//! ```
//!
//! Steps: sample, reliability (α, CR, AVE), validity (KMO, Bartlett, parallel analysis, EFA, CFA,
//! Fornell–Larcker, HTMT), structural model with the hypothesis table, mediation with
//! delta-method and BCa bootstrap intervals, OLS on composites (HC3, VIF), region comparison.
//! Everything is computed by `surveystat::study::Study`; see docs/STUDY.md.

use std::time::Instant;

use surveystat::datasets::study_survey;
use surveystat::study::Study;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut report: Option<String> = None;
    let mut svg: Option<String> = None;
    let mut dot: Option<Option<String>> = None;
    let mut json = false;
    let mut study = Study::new();
    let mut args = std::env::args().skip(1).peekable();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--report" => report = Some(args.next().ok_or("--report needs a file name")?),
            "--svg" => svg = Some(args.next().ok_or("--svg needs a file name")?),
            "--dot" => dot = Some(args.next_if(|s| !s.starts_with("--"))),
            "--json" => json = true,
            "--bootstrap" => {
                study = study.bootstrap(args.next().ok_or("--bootstrap needs N")?.parse()?)
            }
            "--seed" => study = study.seed(args.next().ok_or("--seed needs S")?.parse()?),
            "-h" | "--help" => {
                println!(
                    "usage: reproduce_study [--report out.md] [--json] [--svg out.svg] [--dot [out.dot]] [--bootstrap N] [--seed S]"
                );
                return Ok(());
            }
            other => return Err(format!("unknown option `{other}` (try --help)").into()),
        }
    }
    let start = Instant::now();
    let data = study_survey()?;
    let results = study.run(&data)?;
    let elapsed = start.elapsed();

    if json {
        print!("{}", results.to_json());
    } else {
        println!("{results}");
        eprintln!(
            "(analysis incl. {} bootstrap replications: {:.2} s)",
            study.bootstrap_replications(),
            elapsed.as_secs_f64()
        );
    }
    let diagram = results.diagram();
    let mut svg_for_report = svg.clone();
    if let Some(path) = &report
        && svg_for_report.is_none()
    {
        let p = std::path::Path::new(path).with_extension("svg");
        svg_for_report = Some(p.to_string_lossy().into_owned());
    }
    if let Some(path) = &svg_for_report {
        std::fs::write(path, diagram.to_svg()?)?;
        eprintln!("wrote {path}");
    }
    if let Some(path) = &report {
        let link = svg_for_report.as_deref().map(|s| {
            std::path::Path::new(s)
                .file_name()
                .map_or(s.to_string(), |f| f.to_string_lossy().into_owned())
        });
        std::fs::write(path, results.to_markdown_with_diagram(link.as_deref()))?;
        eprintln!("wrote {path}");
    }
    match dot {
        Some(Some(path)) => {
            std::fs::write(&path, diagram.to_dot()?)?;
            eprintln!("wrote {path}");
        }
        Some(None) => print!("{}", diagram.to_dot()?),
        None => {}
    }
    Ok(())
}
