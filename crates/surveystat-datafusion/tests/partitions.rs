//! The aggregates over 1 to 64 partitions against the in-memory fits of the same rows: the
//! moments, α, KMO and OLS agree to 1e-12 relative, the iterative EFA and CFA to 1e-7; the order
//! of the partitions does not change the bytes of the JSON; GROUP BY gives each group's fit; NULLs are listwise as in memory (NaN).

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, Float64Array, RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::datasource::MemTable;
use datafusion::prelude::SessionContext;
use ndarray::{Array1, Array2, Axis, s};
use surveystat::data::Dataset;
use surveystat::factor::{Efa, Kmo, Rotation};
use surveystat::moments::{Missing, Moments};
use surveystat::regression::Ols;
use surveystat::reliability::Alpha;
use surveystat::sem::{Optimizer, Sem};
use surveystat::simulate::MultivariateNormal;

const ROWS: usize = 20_000;
const NAMES: [&str; 10] = ["q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8", "y", "z"];
const ITEMS: &str = "q1, q2, q3, q4, q5, q6, q7, q8";
const CFA: &str = "F1 =~ q1 + q2 + q3 + q4\nF2 =~ q5 + q6 + q7 + q8";
const REL: f64 = 1e-12;
/// The EFA and the CFA are iterative: started from moments that agree to rounding, they stop
/// within their convergence tolerance of the same optimum, so they are compared at 1e-7 of
/// max(1, |value|) (the moments, α, KMO and OLS, all closed forms, at 1e-12 relative).
const ITERATIVE: f64 = 1e-7;

/// Two correlated factors behind q1–q8, a response y and a covariate z; means away from 0.
fn data(seed: u64) -> Array2<f64> {
    let lam = [0.8, 0.7, 0.6, 0.75, 0.7, 0.65, 0.8, 0.6];
    let mut cov = Array2::<f64>::zeros((10, 10));
    for i in 0..8 {
        for j in 0..8 {
            let phi = if (i < 4) == (j < 4) { 1.0 } else { 0.3 };
            cov[[i, j]] = lam[i] * lam[j] * phi;
        }
        cov[[i, i]] = 1.0;
    }
    for i in 0..8 {
        cov[[8, i]] = 0.2 + 0.03 * i as f64;
        cov[[i, 8]] = cov[[8, i]];
        cov[[9, i]] = 0.1;
        cov[[i, 9]] = 0.1;
    }
    cov[[8, 8]] = 2.0;
    cov[[9, 9]] = 1.5;
    cov[[8, 9]] = 0.4;
    cov[[9, 8]] = 0.4;
    let mean: Array1<f64> = (0..10).map(|j| 3.0 + 0.1 * j as f64).collect();
    MultivariateNormal::new(&mean, &cov).unwrap().sample(ROWS, seed).unwrap()
}

fn region(i: usize) -> &'static str {
    ["east", "north", "south"][(i * 7 + i / 13) % 3]
}

fn schema() -> Arc<Schema> {
    let mut fields: Vec<Field> =
        NAMES.iter().map(|n| Field::new(*n, DataType::Float64, true)).collect();
    fields.push(Field::new("region", DataType::Utf8, false));
    Arc::new(Schema::new(fields))
}

/// Rows `r0..r1` as one record batch (`NaN` written as NULL).
fn batch(x: &Array2<f64>, r0: usize, r1: usize) -> RecordBatch {
    let mut cols: Vec<ArrayRef> = (0..NAMES.len())
        .map(|j| {
            let v: Float64Array =
                (r0..r1).map(|i| Some(x[[i, j]]).filter(|v| !v.is_nan())).collect();
            Arc::new(v) as ArrayRef
        })
        .collect();
    cols.push(Arc::new(StringArray::from_iter_values((r0..r1).map(region))));
    RecordBatch::try_new(schema(), cols).unwrap()
}

/// The rows split into `parts` contiguous partitions of record batches of at most 4096 rows,
/// listed in the order `order` (a permutation of the partitions).
fn partitions(x: &Array2<f64>, parts: usize, order: &[usize]) -> Vec<Vec<RecordBatch>> {
    let n = x.nrows();
    let bounds: Vec<(usize, usize)> =
        (0..parts).map(|p| (p * n / parts, (p + 1) * n / parts)).collect();
    order
        .iter()
        .map(|&p| {
            let (a, b) = bounds[p];
            (a..b).step_by(4096).map(|r| batch(x, r, (r + 4096).min(b))).collect()
        })
        .collect()
}

fn context(x: &Array2<f64>, parts: usize, order: &[usize]) -> SessionContext {
    let ctx = SessionContext::new_with_config(surveystat_datafusion::session_config(parts));
    surveystat_datafusion::register(&ctx);
    let table = MemTable::try_new(schema(), partitions(x, parts, order)).unwrap();
    ctx.register_table("t", Arc::new(table)).unwrap();
    ctx
}

fn run<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).build().unwrap().block_on(f)
}

#[track_caller]
fn close(what: &str, a: f64, b: f64) {
    let d = (a - b).abs();
    let scale = a.abs().max(b.abs());
    assert!(d <= REL * scale || d == 0.0, "{what}: {a} vs {b} (relative {:e})", d / scale);
}

#[track_caller]
fn close_iterative(what: &str, a: f64, b: f64) {
    let d = (a - b).abs();
    assert!(
        d <= ITERATIVE * a.abs().max(b.abs()).max(1.0),
        "{what}: {a} vs {b} (difference {d:e})"
    );
}

#[track_caller]
fn close_all<'a>(
    what: &str,
    a: impl IntoIterator<Item = &'a f64>,
    b: impl IntoIterator<Item = &'a f64>,
) {
    for (i, (x, y)) in a.into_iter().zip(b).enumerate() {
        close(&format!("{what}[{i}]"), *x, *y);
    }
}

struct Fits {
    moments: Moments,
    json: String,
}

/// Every estimator from the aggregates over `ctx`'s table, compared with the in-memory fits of
/// the complete rows of `x`; returns the moments and the JSON of all results.
fn fit_and_compare(ctx: &SessionContext, x: &Array2<f64>) -> Fits {
    let m = run(surveystat_datafusion::moments_from_sql(
        ctx,
        &format!("SELECT survey_moments({ITEMS}) FROM t"),
    ))
    .unwrap();
    let qr = run(surveystat_datafusion::qr_from_sql(
        ctx,
        "SELECT survey_ols_qr(y, q1, q2, q5, q6, z) FROM t",
    ))
    .unwrap();
    let items = x.slice(s![.., 0..8]).to_owned();
    let mem = Moments::from_data(&items, Missing::Listwise).unwrap();
    assert_eq!(m.n_obs(), mem.n_obs());
    assert_eq!(m.n_dropped(), mem.n_dropped());
    close_all("means", m.means(), mem.means());
    close_all("cov", m.cov(), mem.cov());

    let alpha = Alpha::new().fit_moments(&m).unwrap();
    let alpha_mem = Alpha::new().missing(Missing::Listwise).fit(&items).unwrap();
    close("raw alpha", alpha.raw_alpha(), alpha_mem.raw_alpha());
    close("std alpha", alpha.std_alpha(), alpha_mem.std_alpha());

    let n = m.n_obs();
    let cor = m.cor().unwrap();
    let (complete, _) = surveystat::moments::complete_rows(&items);
    let kmo = Kmo::new().fit_cor(&cor, n).unwrap();
    let kmo_mem = Kmo::new().fit(&complete).unwrap();
    close("msa", kmo.msa(), kmo_mem.msa());
    close_all("msa items", kmo.msa_items(), kmo_mem.msa_items());
    close("bartlett", kmo.bartlett().chisq, kmo_mem.bartlett().chisq);

    let efa = Efa::new(2).fit_cor(&cor, n).unwrap();
    let efa_mem = Efa::new(2).fit(&complete).unwrap();
    for (i, (a, b)) in efa.loadings().iter().zip(efa_mem.loadings()).enumerate() {
        close_iterative(&format!("loadings[{i}]"), *a, *b);
    }
    for (i, (a, b)) in efa.uniquenesses().iter().zip(efa_mem.uniquenesses()).enumerate() {
        close_iterative(&format!("uniquenesses[{i}]"), *a, *b);
    }

    let sem = Sem::from_syntax(CFA).unwrap();
    let cfa = sem.compile().unwrap().fit_moments(&m).unwrap();
    let ds = Dataset::from_array(&NAMES[..8], complete.clone()).unwrap();
    let cfa_mem = sem.fit(&ds).unwrap();
    for (a, b) in cfa.parameters().iter().zip(cfa_mem.parameters()) {
        close_iterative(&format!("{} {} {}", a.lhs, a.op, a.rhs), a.est, b.est);
        if let (Some(sa), Some(sb)) = (a.se, b.se) {
            close_iterative(&format!("se {} {} {}", a.lhs, a.op, a.rhs), sa, sb);
        }
    }
    let (xa, xb) = (cfa.fit_measure("chisq").unwrap(), cfa_mem.fit_measure("chisq").unwrap());
    close_iterative("chisq", xa, xb);

    let cols = [0usize, 1, 4, 5, 9];
    let names = ["q1", "q2", "q5", "q6", "z"];
    let ols = Ols::new().names(&names).response("y");
    let fit = ols.fit_qr(&qr).unwrap();
    let xs = x.select(Axis(1), &cols);
    let fit_mem = ols.fit(&xs, &x.column(8)).unwrap();
    assert_eq!(fit.n_obs(), fit_mem.n_obs());
    assert_eq!(fit.n_dropped(), fit_mem.n_dropped());
    close_all("coef", fit.coefficients(), fit_mem.coefficients());
    close_all("se", fit.std_errors(), fit_mem.std_errors());
    close("sigma", fit.sigma(), fit_mem.sigma());
    close("r2", fit.r_squared(), fit_mem.r_squared());
    close("F", fit.f_test().unwrap().value, fit_mem.f_test().unwrap().value);
    close("logLik", fit.log_lik(), fit_mem.log_lik());

    let json = [
        serde_json::to_string(&m).unwrap(),
        serde_json::to_string(&alpha).unwrap(),
        serde_json::to_string(&kmo).unwrap(),
        serde_json::to_string(&efa).unwrap(),
        serde_json::to_string(cfa.parameters()).unwrap(),
        serde_json::to_string(cfa.fit_measures()).unwrap(),
        serde_json::to_string(&fit).unwrap(),
    ]
    .join("\n");
    Fits { moments: m, json }
}

#[test]
fn partitions_agree_with_the_in_memory_fits() {
    let x = data(19);
    for parts in [1, 7, 16, 64] {
        let order: Vec<usize> = (0..parts).collect();
        let fits = fit_and_compare(&context(&x, parts, &order), &x);
        assert_eq!(fits.moments.n_obs(), ROWS);
    }
}

#[test]
fn partition_order_does_not_change_the_json_bytes() {
    let x = data(7);
    let parts = 16;
    let forward: Vec<usize> = (0..parts).collect();
    let reversed: Vec<usize> = forward.iter().rev().copied().collect();
    let shuffled: Vec<usize> = (0..parts).map(|i| (i * 5 + 3) % parts).collect();
    let a = fit_and_compare(&context(&x, parts, &forward), &x).json;
    let b = fit_and_compare(&context(&x, parts, &reversed), &x).json;
    let c = fit_and_compare(&context(&x, parts, &shuffled), &x).json;
    assert_eq!(a, b);
    assert_eq!(a, c);
}

#[test]
fn group_by_gives_each_groups_fit() {
    let x = data(3);
    let order: Vec<usize> = (0..7).collect();
    let ctx = context(&x, 7, &order);
    let groups = run(surveystat_datafusion::grouped_moments_from_sql(
        &ctx,
        &format!("SELECT region, survey_moments({ITEMS}) FROM t GROUP BY region"),
    ))
    .unwrap();
    let qrs = run(surveystat_datafusion::grouped_qr_from_sql(
        &ctx,
        "SELECT region, survey_ols_qr(y, q1, z) FROM t GROUP BY region",
    ))
    .unwrap();
    assert_eq!(groups.len(), 3);
    for ((key, m), (key_qr, qr)) in groups.iter().zip(&qrs) {
        assert_eq!(key, key_qr);
        let rows: Vec<usize> = (0..ROWS).filter(|&i| region(i) == key).collect();
        let g = x.select(Axis(0), &rows);
        let items = g.slice(s![.., 0..8]).to_owned();
        let mem = Moments::from_data(&items, Missing::Listwise).unwrap();
        assert_eq!(m.n_obs(), rows.len());
        close_all("group cov", m.cov(), mem.cov());
        let a = Alpha::new().fit_moments(m).unwrap();
        let b = Alpha::new().fit(&items).unwrap();
        close("group alpha", a.raw_alpha(), b.raw_alpha());
        let ols = Ols::new().names(&["q1", "z"]).response("y");
        let fit = ols.fit_qr(qr).unwrap();
        let fit_mem = ols.fit(&g.select(Axis(1), &[0, 9]), &g.column(8)).unwrap();
        close_all("group coef", fit.coefficients(), fit_mem.coefficients());
        close_all("group se", fit.std_errors(), fit_mem.std_errors());
    }
    // The groups feed a multi-group CFA directly.
    let mg = surveystat::sem::MultiGroupSem::new(Sem::from_syntax(CFA).unwrap(), "region")
        .fit_moments(&groups);
    assert!(mg.is_ok(), "{mg:?}");
}

#[test]
fn nulls_are_skipped_listwise_as_in_memory() {
    let mut x = data(11);
    for i in (0..ROWS).step_by(17) {
        x[[i, 2]] = f64::NAN;
    }
    for i in (5..ROWS).step_by(29) {
        x[[i, 8]] = f64::NAN;
    }
    for i in (3..ROWS).step_by(31) {
        x[[i, 9]] = f64::NAN;
    }
    let order: Vec<usize> = (0..16).collect();
    let fits = fit_and_compare(&context(&x, 16, &order), &x);
    let expect = (0..ROWS).filter(|&i| i % 17 == 0).count();
    assert_eq!(fits.moments.n_dropped(), expect);
    assert_eq!(fits.moments.n_obs(), ROWS - expect);
}

#[test]
fn bad_arguments_are_errors() {
    let x = data(5);
    let ctx = context(&x, 2, &[0, 1]);
    let text = run(surveystat_datafusion::moments_from_sql(
        &ctx,
        "SELECT survey_moments(q1, region) FROM t",
    ));
    assert!(text.is_err());
    let none = run(surveystat_datafusion::moments_from_sql(&ctx, "SELECT survey_moments() FROM t"));
    assert!(none.is_err());
    let two_rows = run(surveystat_datafusion::moments_from_sql(
        &ctx,
        "SELECT region, survey_moments(q1, q2) FROM t GROUP BY region",
    ));
    assert!(two_rows.is_err());
    let empty = run(surveystat_datafusion::moments_from_sql(
        &ctx,
        "SELECT survey_moments(q1, q2) FROM t WHERE q1 > 1e9",
    ));
    assert!(empty.is_err());
}

/// Largest relative difference of paired values (relative to the larger magnitude; two zeros
/// agree) and the largest absolute difference.
fn max_diff<'a>(
    a: impl IntoIterator<Item = &'a f64>,
    b: impl IntoIterator<Item = &'a f64>,
) -> (f64, f64) {
    let (mut rel, mut abs) = (0.0f64, 0.0f64);
    for (x, y) in a.into_iter().zip(b) {
        let (d, s) = ((x - y).abs(), x.abs().max(y.abs()));
        abs = abs.max(d);
        if s > 0.0 {
            rel = rel.max(d / s);
        }
    }
    (rel, abs)
}

/// The acceptance run on a large data set: every file of the directory named by
/// `SURVEYSTAT_DF_DATA` (written by `benches/likert_parquet.py`: `.csv`, or `.parquet` with the
/// feature `parquet`) through DataFusion with 16 target partitions, against the same files read
/// whole by surveystat (`Dataset::from_path`) and fitted in memory: α, KMO, a minres EFA with
/// three factors, a three-factor CFA (ML) on consecutive thirds of the columns and OLS of the
/// first column on the next five, all within 1e-12 relative.
///
/// ```text
/// python benches/likert_parquet.py /tmp/likert 1e7 30 16
/// SURVEYSTAT_DF_DATA=/tmp/likert cargo test --release -p surveystat-datafusion --features parquet \
///     --test partitions -- --ignored --nocapture
/// ```
#[test]
#[ignore = "needs SURVEYSTAT_DF_DATA, a directory written by benches/likert_parquet.py"]
fn large_files_agree_with_the_in_memory_fits() {
    let dir = std::env::var("SURVEYSTAT_DF_DATA").expect("SURVEYSTAT_DF_DATA");
    let parts = 16;
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "csv" || e == "parquet"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no .csv or .parquet files in {dir}");
    let parquet = files[0].extension().is_some_and(|e| e == "parquet");
    let ctx = SessionContext::new_with_config(surveystat_datafusion::session_config(parts));
    surveystat_datafusion::register(&ctx);
    run(async {
        if parquet {
            #[cfg(feature = "parquet")]
            ctx.register_parquet("t", &dir, datafusion::prelude::ParquetReadOptions::default())
                .await
                .unwrap();
            #[cfg(not(feature = "parquet"))]
            panic!("Parquet files need the feature `parquet`");
        } else {
            ctx.register_csv("t", &dir, datafusion::prelude::CsvReadOptions::new()).await.unwrap();
        }
    });
    let cols: Vec<String> =
        run(ctx.table("t")).unwrap().schema().fields().iter().map(|f| f.name().clone()).collect();
    let p = cols.len();
    assert!(p >= 6, "at least six columns");
    let list = cols.join(", ");
    let sql = format!("SELECT survey_moments({list}) FROM t");
    let plan = run(async { ctx.sql(&format!("EXPLAIN {sql}")).await?.collect().await }).unwrap();
    let plan = datafusion::arrow::util::pretty::pretty_format_batches(&plan).unwrap().to_string();
    let groups = plan.split("file_groups={").nth(1).and_then(|s| s.split(' ').next());
    println!("{} files, scan partitions: {groups:?}", files.len());
    assert_eq!(groups, Some(parts.to_string().as_str()), "{plan}");
    let m = run(surveystat_datafusion::moments_from_sql(&ctx, &sql)).unwrap();
    let (y, preds) = (&cols[0], &cols[1..6]);
    let qr = run(surveystat_datafusion::qr_from_sql(
        &ctx,
        &format!("SELECT survey_ols_qr({y}, {}) FROM t", preds.join(", ")),
    ))
    .unwrap();

    let blocks: Vec<Array2<f64>> = files
        .iter()
        .map(|f| Dataset::from_path(f, &Default::default()).unwrap().select(&cols).unwrap())
        .collect();
    let views: Vec<_> = blocks.iter().map(|b| b.view()).collect();
    let x = ndarray::concatenate(Axis(0), &views).unwrap();
    drop(views);
    drop(blocks);
    let ds = Dataset::from_array(&cols, x).unwrap();
    let x = ds.values();
    println!("{} rows x {p} columns, {parts} partitions; DataFusion against in memory:", x.nrows());
    assert_eq!(m.n_obs(), x.nrows());
    // Closed forms (moments, α, KMO, OLS) must agree to 1e-12 relative; the iterative EFA and
    // CFA to their convergence tolerance (ITERATIVE of max(1, |value|)), printed beside.
    let mut worst = 0.0f64;
    let mut worst_iterative = 0.0f64;
    let mut report = |what: &str, iterative: bool, a: &[f64], b: &[f64]| {
        let (rel, abs) = max_diff(a, b);
        let scaled = a.iter().zip(b).map(|(x, y)| (x - y).abs() / x.abs().max(y.abs()).max(1.0));
        let scaled = scaled.fold(0.0f64, f64::max);
        println!("  {what:<48} max relative {rel:.2e}  max absolute {abs:.2e}");
        if iterative {
            worst_iterative = worst_iterative.max(scaled);
        } else {
            worst = worst.max(rel);
        }
    };
    let mem = Moments::from_data(x, Missing::Listwise).unwrap();
    let flat = |m: &Moments| -> Vec<f64> { m.means().iter().chain(m.cov()).copied().collect() };
    report("moments: means, covariance", false, &flat(&m), &flat(&mem));

    let al = Alpha::new().fit_moments(&m).unwrap();
    let al_mem = Alpha::new().fit(x).unwrap();
    let items = |f: &surveystat::reliability::AlphaFit| -> Vec<f64> {
        let mut v = vec![f.raw_alpha(), f.std_alpha()];
        v.extend(f.items().iter().flat_map(|i| [i.std_r, i.r_cor, i.r_drop]));
        v
    };
    report("alpha: raw, std., item std.r, r.cor, r.drop", false, &items(&al), &items(&al_mem));

    let cor = m.cor().unwrap();
    let kmo = Kmo::new().fit_cor(&cor, m.n_obs()).unwrap();
    let kmo_mem = Kmo::new().fit(x).unwrap();
    let kv = |k: &surveystat::factor::KmoFit| -> Vec<f64> {
        let mut v = vec![k.msa(), k.bartlett().chisq];
        v.extend(k.msa_items().iter());
        v
    };
    report("KMO: MSA, item MSA, Bartlett chi-square", false, &kv(&kmo), &kv(&kmo_mem));

    let efa = Efa::new(3).fit_cor(&cor, m.n_obs()).unwrap();
    let efa_mem = Efa::new(3).fit(x).unwrap();
    let flat2 = |a: &Array2<f64>| -> Vec<f64> { a.iter().copied().collect() };
    report(
        "EFA (minres, 3, oblimin): loadings",
        true,
        &flat2(efa.loadings()),
        &flat2(efa_mem.loadings()),
    );
    report(
        "EFA: uniquenesses",
        true,
        &efa.uniquenesses().to_vec(),
        &efa_mem.uniquenesses().to_vec(),
    );
    report(
        "EFA: unrotated loadings",
        false,
        &flat2(efa.unrotated_loadings()),
        &flat2(efa_mem.unrotated_loadings()),
    );

    let vm = Efa::new(3).rotation(Rotation::Varimax);
    let (v1, v2) = (vm.fit_cor(&cor, m.n_obs()).unwrap(), vm.fit(x).unwrap());
    report(
        "EFA (minres, 3, varimax): loadings",
        true,
        &flat2(v1.loadings()),
        &flat2(v2.loadings()),
    );

    let syntax: Vec<String> = (0..3)
        .map(|f| format!("F{} =~ {}", f + 1, cols[f * p / 3..(f + 1) * p / 3].join(" + ")))
        .collect();
    for (label, optimizer) in
        [("", Optimizer::Auto), (", Fisher scoring", Optimizer::FisherScoring)]
    {
        let sem = Sem::from_syntax(&syntax.join("\n")).unwrap().optimizer(optimizer);
        let cfa = sem.compile().unwrap().fit_moments(&m).unwrap();
        let cfa_mem = sem.fit(&ds).unwrap();
        let est = |f: &surveystat::sem::SemFit| -> Vec<f64> {
            f.parameters().iter().map(|r| r.est).collect()
        };
        let se = |f: &surveystat::sem::SemFit| -> Vec<f64> {
            f.parameters().iter().filter_map(|r| r.se).collect()
        };
        let chisq = |f: &surveystat::sem::SemFit| vec![f.fit_measure("chisq").unwrap()];
        // BFGS stops at its tolerance; Fisher scoring converges to rounding.
        let bfgs = optimizer == Optimizer::Auto;
        report(&format!("CFA (ML{label}): estimates"), bfgs, &est(&cfa), &est(&cfa_mem));
        report(&format!("CFA (ML{label}): standard errors"), bfgs, &se(&cfa), &se(&cfa_mem));
        report(&format!("CFA (ML{label}): chi-square"), true, &chisq(&cfa), &chisq(&cfa_mem));
    }

    let ols = Ols::new().names(preds).response(y.clone());
    let fit = ols.fit_qr(&qr).unwrap();
    let fit_mem = ols.fit(&x.slice(s![.., 1..6]), &x.column(0)).unwrap();
    let ov = |o: &surveystat::regression::OlsFit| -> Vec<f64> {
        let mut v: Vec<f64> = o.coefficients().iter().chain(o.std_errors()).copied().collect();
        v.extend([o.sigma(), o.r_squared()]);
        v
    };
    report("OLS: coefficients, SEs, sigma, R-squared", false, &ov(&fit), &ov(&fit_mem));
    println!(
        "  largest: closed forms {worst:.2e} relative, iterative {worst_iterative:.2e} of max(1, |value|)"
    );
    assert!(worst <= REL, "closed forms: largest relative difference {worst:e}");
    assert!(worst_iterative <= ITERATIVE, "iterative: largest difference {worst_iterative:e}");
}
