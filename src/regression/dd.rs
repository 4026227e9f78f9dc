//! Error-free transformations and compensated (double-double quality) accumulation.
//!
//! Written from Ogita, Rump & Oishi (2005), "Accurate sum and dot product", SIAM J. Sci. Comput.
//! 26(6): `two_sum` (Knuth), `two_prod` (Dekker/Veltkamp splitting, no FMA needed so the code is
//! portable and vectorizes on plain SSE2) and the `Dot2` accumulator, whose result is as accurate
//! as if it had been computed in twice the working precision and then rounded.

/// Knuth's TwoSum: `a + b = s + e` exactly.
#[inline(always)]
pub(crate) fn two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    let bb = s - a;
    let e = (a - (s - bb)) + (b - bb);
    (s, e)
}

const SPLITTER: f64 = 134_217_729.0; // 2^27 + 1

/// Veltkamp's split of `a` into two 26-bit halves.
#[inline(always)]
fn split(a: f64) -> (f64, f64) {
    let c = SPLITTER * a;
    let hi = c - (c - a);
    (hi, a - hi)
}

/// Dekker's TwoProduct: `a · b = p + e` exactly (barring over/underflow).
#[inline(always)]
pub(crate) fn two_prod(a: f64, b: f64) -> (f64, f64) {
    let p = a * b;
    let (ah, al) = split(a);
    let (bh, bl) = split(b);
    let e = al * bl - (((p - ah * bh) - al * bh) - ah * bl);
    (p, e)
}

/// A compensated accumulator: the running sum `hi` and the accumulated rounding errors `lo`.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Dot2 {
    pub hi: f64,
    pub lo: f64,
}

impl Dot2 {
    /// Start from `v`.
    #[inline(always)]
    pub fn new(v: f64) -> Self {
        Self { hi: v, lo: 0.0 }
    }

    /// Add `v`.
    #[inline(always)]
    pub fn add(&mut self, v: f64) {
        let (s, e) = two_sum(self.hi, v);
        self.hi = s;
        self.lo += e;
    }

    /// Add the product `a · b`.
    #[inline(always)]
    pub fn add_prod(&mut self, a: f64, b: f64) {
        let (p, pe) = two_prod(a, b);
        let (s, e) = two_sum(self.hi, p);
        self.hi = s;
        self.lo += e + pe;
    }

    /// The rounded result.
    #[inline(always)]
    pub fn value(self) -> f64 {
        self.hi + self.lo
    }
}

/// Compensated sum of squares.
pub(crate) fn sum_sq(v: impl IntoIterator<Item = f64>) -> f64 {
    let mut acc = Dot2::default();
    for x in v {
        acc.add_prod(x, x);
    }
    acc.value()
}

/// Indices per chunk of the parallel compensated sums.
const PAR_CHUNK: usize = 8192;

/// Compensated sum of `f(i)` (or of `f(i)²` when `square`) over `0..n`: chunks of `PAR_CHUNK`
/// indices in parallel, four independent [`Dot2`] lanes per chunk, the chunk results combined
/// in chunk order (so the value does not depend on the number of threads).
fn par_comp(n: usize, square: bool, f: &(impl Fn(usize) -> f64 + Sync)) -> f64 {
    use rayon::prelude::*;
    let chunks = n.div_ceil(PAR_CHUNK);
    let parts: Vec<Dot2> = (0..chunks)
        .into_par_iter()
        .map(|c| {
            let s = c * PAR_CHUNK;
            let e = (s + PAR_CHUNK).min(n);
            let mut l = [Dot2::default(); 4];
            let mut i = s;
            while i + 4 <= e {
                for (j, lane) in l.iter_mut().enumerate() {
                    let v = f(i + j);
                    if square { lane.add_prod(v, v) } else { lane.add(v) }
                }
                i += 4;
            }
            while i < e {
                let v = f(i);
                if square {
                    l[0].add_prod(v, v)
                } else {
                    l[0].add(v)
                }
                i += 1;
            }
            let mut acc = Dot2::default();
            for lane in l {
                acc.add(lane.hi);
                acc.lo += lane.lo;
            }
            acc
        })
        .collect();
    let mut acc = Dot2::default();
    for d in parts {
        acc.add(d.hi);
        acc.lo += d.lo;
    }
    acc.value()
}

/// Parallel compensated `Σ f(i)`, `i < n`.
pub(crate) fn par_sum(n: usize, f: impl Fn(usize) -> f64 + Sync) -> f64 {
    par_comp(n, false, &f)
}

/// Parallel compensated `Σ f(i)²`, `i < n`.
pub(crate) fn par_sum_sq(n: usize, f: impl Fn(usize) -> f64 + Sync) -> f64 {
    par_comp(n, true, &f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_prod_is_exact() {
        let a = 1.0 + f64::EPSILON;
        let b = 1.0 - f64::EPSILON;
        let (p, e) = two_prod(a, b);
        // (1 + u)(1 - u) = 1 - u^2
        assert_eq!(p, 1.0);
        assert_eq!(e, -f64::EPSILON * f64::EPSILON);
    }

    #[test]
    fn dot2_cancels() {
        let mut acc = Dot2::default();
        acc.add(1e16);
        acc.add(1.0);
        acc.add(-1e16);
        assert_eq!(acc.value(), 1.0);
    }
}
