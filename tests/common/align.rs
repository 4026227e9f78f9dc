//! Aligning factor solutions (column order and sign) before comparing them.
//!
//! Factor column order and sign are arbitrary. [`align`] finds the permutation and signs of the
//! library's columns that best match a reference (largest total |Tucker congruence|, searched over
//! all permutations for up to 8 factors, greedily beyond), and [`Alignment`] applies them to any
//! items × factors matrix (loadings, structure, score weights, scores) or factor × factor matrix
//! (Φ) so that it can be compared entry by entry with the reference.

use ndarray::Array2;

/// Column `perm[j]` of the library, multiplied by `sign[j]`, corresponds to reference column `j`.
#[derive(Debug, Clone, PartialEq)]
pub struct Alignment {
    /// Library column for each reference column.
    pub perm: Vec<usize>,
    /// Sign (±1) for each reference column.
    pub sign: Vec<f64>,
}

fn congruence(a: &Array2<f64>, i: usize, b: &Array2<f64>, j: usize) -> f64 {
    let ab: f64 = a.column(i).iter().zip(b.column(j).iter()).map(|(x, y)| x * y).sum();
    let aa: f64 = a.column(i).iter().map(|x| x * x).sum();
    let bb: f64 = b.column(j).iter().map(|x| x * x).sum();
    ab / (aa * bb).sqrt()
}

fn permutations(k: usize) -> Vec<Vec<usize>> {
    if k == 0 {
        return vec![vec![]];
    }
    let mut out = Vec::new();
    for p in permutations(k - 1) {
        for pos in 0..=p.len() {
            let mut q = p.clone();
            q.insert(pos, k - 1);
            out.push(q);
        }
    }
    out
}

/// Best permutation and signs of `lib`'s columns to match `reference` (both items × factors).
pub fn align(reference: &Array2<f64>, lib: &Array2<f64>) -> Alignment {
    assert_eq!(reference.dim(), lib.dim(), "loading matrices differ in shape");
    let k = reference.ncols();
    let c = Array2::from_shape_fn((k, k), |(i, j)| congruence(reference, i, lib, j));
    let perm = if k <= 8 {
        permutations(k)
            .into_iter()
            .max_by(|p, q| {
                let sp: f64 = p.iter().enumerate().map(|(i, &j)| c[[i, j]].abs()).sum();
                let sq: f64 = q.iter().enumerate().map(|(i, &j)| c[[i, j]].abs()).sum();
                sp.partial_cmp(&sq).unwrap()
            })
            .unwrap()
    } else {
        let mut used = vec![false; k];
        let mut perm = vec![0; k];
        for i in 0..k {
            let j = (0..k)
                .filter(|&j| !used[j])
                .max_by(|&a, &b| c[[i, a]].abs().partial_cmp(&c[[i, b]].abs()).unwrap())
                .unwrap();
            used[j] = true;
            perm[i] = j;
        }
        perm
    };
    let sign =
        perm.iter().enumerate().map(|(i, &j)| if c[[i, j]] < 0.0 { -1.0 } else { 1.0 }).collect();
    Alignment { perm, sign }
}

impl Alignment {
    /// Reorder and re-sign the columns of an (anything × factors) library matrix.
    pub fn columns(&self, m: &Array2<f64>) -> Array2<f64> {
        Array2::from_shape_fn((m.nrows(), self.perm.len()), |(i, j)| {
            m[[i, self.perm[j]]] * self.sign[j]
        })
    }
    /// Reorder and re-sign a factors × factors library matrix (Φ).
    pub fn square(&self, m: &Array2<f64>) -> Array2<f64> {
        let k = self.perm.len();
        Array2::from_shape_fn((k, k), |(i, j)| {
            m[[self.perm[i], self.perm[j]]] * self.sign[i] * self.sign[j]
        })
    }
    /// Reorder a per-factor vector (SS loadings).
    pub fn vector(&self, v: &[f64]) -> Vec<f64> {
        self.perm.iter().map(|&j| v[j]).collect()
    }
}

/// Largest absolute entrywise difference.
pub fn max_abs_diff(a: &Array2<f64>, b: &Array2<f64>) -> f64 {
    assert_eq!(a.dim(), b.dim());
    a.iter().zip(b.iter()).fold(0.0_f64, |m, (x, y)| m.max((x - y).abs()))
}
