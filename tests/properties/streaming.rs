//! Out-of-core and partitioned moments: a streamed file and any split of the rows into
//! partitions give the in-memory fits (α, KMO, EFA, CFA) to 1e-12 relative, and the order of the
//! partitions does not change a single bit of the merged state or of the JSON output.

use ndarray::{Array2, Axis, s};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use surveystat::data::{CsvOptions, Dataset, stream_moments};
use surveystat::factor::{Efa, Extraction, Kmo, Rotation};
use surveystat::moments::{Missing, MomentAccumulator, Moments};
use surveystat::reliability::Alpha;
use surveystat::sem::Sem;

const P: usize = 8;

/// Likert answers 1–5 of two correlated factors (items 0–3, 4–7), with a few missing cells.
fn survey(n: usize, seed: u64) -> Array2<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut x = Array2::<f64>::zeros((n, P));
    for i in 0..n {
        let f1: f64 = rng.sample(StandardNormal);
        let f2: f64 = 0.5 * f1 + 0.8 * rng.sample::<f64, _>(StandardNormal);
        for j in 0..P {
            let f = if j < 4 { f1 } else { f2 };
            let e: f64 = rng.sample(StandardNormal);
            let f: f64 = f;
            x[[i, j]] = (3.0 + 0.9 * f + 0.7 * e).round().clamp(1.0, 5.0);
        }
        if rng.random::<f64>() < 0.01 {
            let j = rng.random_range(0..P);
            x[[i, j]] = f64::NAN;
        }
    }
    x
}

fn names() -> Vec<String> {
    (1..=P).map(|j| format!("q{j}")).collect()
}

fn rel_close(a: f64, b: f64, tol: f64, what: &str) {
    assert!((a - b).abs() <= tol * a.abs().max(b.abs()).max(1e-300), "{what}: {a} vs {b}");
}

fn arr_close(a: &Array2<f64>, b: &Array2<f64>, tol: f64, what: &str) {
    let scale = a.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    for (x, y) in a.iter().zip(b.iter()) {
        assert!((x - y).abs() <= tol * scale, "{what}: {x} vs {y}");
    }
}

fn write_csv(x: &Array2<f64>, tag: &str) -> std::path::PathBuf {
    let path =
        std::env::temp_dir().join(format!("surveystat_stream_{tag}_{}.csv", std::process::id()));
    let mut text = String::from("id,region,");
    text.push_str(&names().join(","));
    text.push('\n');
    for (i, row) in x.rows().into_iter().enumerate() {
        text.push_str(&format!("{i},{}", if i % 3 == 0 { "Chengdu" } else { "Chongqing" }));
        for v in row {
            if v.is_nan() { text.push_str(",NA") } else { text.push_str(&format!(",{v}")) }
        }
        text.push('\n');
    }
    std::fs::write(&path, text).unwrap();
    path
}

/// The rows split into `k` contiguous partitions of unequal sizes, each accumulated.
fn partitions(x: &Array2<f64>, k: usize) -> Vec<MomentAccumulator> {
    let n = x.nrows();
    // Cut points from a fixed irregular pattern, so sizes differ.
    let mut cuts: Vec<usize> = (1..k).map(|i| (n * i * i) / (k * k)).collect();
    cuts.insert(0, 0);
    cuts.push(n);
    cuts.windows(2)
        .map(|w| {
            let mut a = MomentAccumulator::new(P);
            a.update(&x.slice(s![w[0]..w[1], ..])).unwrap();
            a
        })
        .collect()
}

#[test]
fn a_streamed_file_gives_the_in_memory_moments_and_alpha() {
    let x = survey(20_000, 11);
    let path = write_csv(&x, "alpha");
    let streamed = stream_moments(&path, &names(), &CsvOptions::new()).unwrap();
    assert_eq!(streamed.rows_read(), 20_000);
    let sm = streamed.moments().unwrap();
    let ds = Dataset::from_csv_path(&path).unwrap();
    std::fs::remove_file(&path).ok();
    let mem = Moments::from_data(&ds.select(&names()).unwrap(), Missing::Listwise).unwrap();
    assert_eq!(sm.n_obs(), mem.n_obs());
    assert_eq!(sm.n_dropped(), mem.n_dropped());
    assert!(sm.n_dropped() > 0);
    arr_close(sm.cov(), mem.cov(), 1e-12, "cov");
    for (a, b) in sm.means().iter().zip(mem.means()) {
        rel_close(*a, *b, 1e-12, "mean");
    }
    let a = Alpha::new().names(&names()).fit_moments(&sm).unwrap();
    let b = Alpha::new().missing(Missing::Listwise).names(&names()).fit(&x).unwrap();
    rel_close(a.raw_alpha(), b.raw_alpha(), 1e-12, "raw alpha");
    rel_close(a.std_alpha(), b.std_alpha(), 1e-12, "std alpha");
    rel_close(a.mean().unwrap(), b.mean().unwrap(), 1e-12, "scale mean");
    for (p, q) in a.items().iter().zip(b.items()) {
        rel_close(p.raw_r.unwrap(), q.raw_r.unwrap(), 1e-12, "raw_r");
        rel_close(p.mean.unwrap(), q.mean.unwrap(), 1e-12, "item mean");
        rel_close(p.r_drop, q.r_drop, 1e-12, "r.drop");
    }
}

#[test]
fn one_seven_and_sixty_four_partitions_give_the_in_memory_fits() {
    let x = survey(30_000, 5);
    let (complete, _) = surveystat::moments::complete_rows(&x);
    let n = complete.nrows();
    let mem = Moments::from_data(&complete, Missing::Listwise).unwrap();
    let r_mem = mem.cor().unwrap();
    let alpha_mem = Alpha::new().names(&names()).fit_moments(&mem).unwrap();
    let kmo_mem = Kmo::new().fit_cor(&r_mem, n).unwrap();
    let efa = Efa::new(2).extraction(Extraction::Ml).rotation(Rotation::Oblimin { gamma: 0.0 });
    let efa_mem = efa.fit_cor(&r_mem, n).unwrap();
    let sem = Sem::from_syntax("f1 =~ q1 + q2 + q3 + q4\nf2 =~ q5 + q6 + q7 + q8").unwrap();
    let model = sem.compile().unwrap();
    let cfa_mem = model.fit_moments(&mem).unwrap();
    for k in [1usize, 7, 64] {
        let parts = partitions(&x, k);
        let merged = MomentAccumulator::merge_all(P, parts.clone()).unwrap();
        // Any arrival order gives the same bits.
        let mut reversed = parts.clone();
        reversed.reverse();
        let mut shuffled = parts.clone();
        shuffled.rotate_left(k / 3);
        assert_eq!(merged, MomentAccumulator::merge_all(P, reversed).unwrap());
        assert_eq!(merged, MomentAccumulator::merge_all(P, shuffled).unwrap());

        let m = merged.to_moments().unwrap();
        assert_eq!(m.n_obs(), n);
        arr_close(m.cov(), mem.cov(), 1e-12, "cov");
        let r = m.cor().unwrap();
        let alpha = Alpha::new().names(&names()).fit_moments(&m).unwrap();
        rel_close(alpha.raw_alpha(), alpha_mem.raw_alpha(), 1e-12, "alpha");
        rel_close(alpha.std_alpha(), alpha_mem.std_alpha(), 1e-12, "std alpha");
        let kmo = Kmo::new().fit_cor(&r, n).unwrap();
        rel_close(kmo.msa(), kmo_mem.msa(), 1e-12, "kmo");
        let e = efa.fit_cor(&r, n).unwrap();
        arr_close(e.loadings(), efa_mem.loadings(), 1e-12, "efa loadings");
        // The moments agree to 1e-12 (above). The CFA estimates agree only to the optimiser's
        // termination rule (relative change of F), about 1e-9 here; χ² = N·F with
        // F = log|Σ| + tr(SΣ⁻¹) − log|S| − p ≈ 1e-3 formed from terms of order 10, so its last
        // 1e-11 (relative) is rounding of that difference.
        let cfa = model.fit_moments(&m).unwrap();
        for (a, b) in cfa.coefficients().iter().zip(cfa_mem.coefficients()) {
            rel_close(*a, *b, 1e-8, "cfa estimate");
        }
        rel_close(
            cfa.fit_measure("chisq").unwrap(),
            cfa_mem.fit_measure("chisq").unwrap(),
            1e-10,
            "cfa chisq",
        );
    }
}

#[test]
fn partition_order_does_not_change_the_json() {
    let x = survey(5_000, 3);
    let parts = partitions(&x, 16);
    let json = |parts: Vec<MomentAccumulator>| {
        let m = MomentAccumulator::merge_all(P, parts).unwrap().to_moments().unwrap();
        let fit = Alpha::new().names(&names()).fit_moments(&m).unwrap();
        serde_json::to_string(&surveystat::study::json::alpha(&fit)).unwrap()
    };
    let a = json(parts.clone());
    let mut rev = parts.clone();
    rev.reverse();
    let mut odd_even: Vec<MomentAccumulator> = parts.iter().step_by(2).cloned().collect();
    odd_even.extend(parts.iter().skip(1).step_by(2).cloned());
    assert_eq!(a, json(rev));
    // States shipped as parts (n, skipped, means, cross-products) by another engine rebuild
    // exactly.
    let shipped: Vec<MomentAccumulator> = parts
        .iter()
        .map(|p| {
            MomentAccumulator::from_state(
                p.n_obs(),
                p.n_skipped(),
                p.means().clone(),
                p.cross_products().clone(),
            )
            .unwrap()
        })
        .collect();
    assert_eq!(a, json(shipped));
    assert!(
        MomentAccumulator::from_state(0, 0, ndarray::array![1.0], ndarray::array![[0.0]]).is_err()
    );
    assert_eq!(a, json(odd_even));
    // Fewer rows than partitions (empty partitions) merge too.
    let tiny = x.slice(s![..3, ..]).to_owned();
    let mut empty = MomentAccumulator::new(P);
    empty.update(&tiny.slice(s![..0, ..])).unwrap();
    let mut one = MomentAccumulator::new(P);
    one.update(&tiny).unwrap();
    let merged = MomentAccumulator::merge_all(P, [empty.clone(), one.clone(), empty]).unwrap();
    assert_eq!(merged.n_obs(), one.n_obs());
    let _ = tiny.sum_axis(Axis(0));
}

#[test]
fn streaming_refuses_text_in_a_chosen_column_and_names_it() {
    let path =
        std::env::temp_dir().join(format!("surveystat_stream_text_{}.csv", std::process::id()));
    let mut text = String::from("a,b\n");
    for i in 0..50_000 {
        text.push_str(&format!("{i},{}\n", i % 7));
    }
    text.push_str("1,seven\n");
    std::fs::write(&path, text).unwrap();
    let err = stream_moments(&path, &["a", "b"], &CsvOptions::new()).unwrap_err().to_string();
    assert!(err.contains("`b`") && err.contains("seven") && err.contains("50002"), "{err}");
    // The other column streams.
    assert_eq!(stream_moments(&path, &["a"], &CsvOptions::new()).unwrap().rows_read(), 50_001);
    std::fs::remove_file(&path).ok();
}
