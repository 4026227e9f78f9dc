//! Geometry shared by the layout and the SVG writer: rectangles, points, curves made of line
//! and cubic Bézier segments, arrowheads, sizes of text and the isotonic fit used for packing.

use std::fmt::Write as _;

/// An axis-aligned rectangle (`x`, `y` = top-left corner).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
}

impl Rect {
    pub(super) fn centered(cx: f64, cy: f64, w: f64, h: f64) -> Self {
        Rect { x: cx - w / 2.0, y: cy - h / 2.0, width: w, height: h }
    }

    /// Whether two rectangles overlap (touching edges do not count).
    pub fn overlaps(&self, other: &Rect) -> bool {
        self.x < other.x + other.width
            && other.x < self.x + self.width
            && self.y < other.y + other.height
            && other.y < self.y + self.height
    }

    pub(super) fn inflate(&self, d: f64) -> Rect {
        Rect {
            x: self.x - d,
            y: self.y - d,
            width: self.width + 2.0 * d,
            height: self.height + 2.0 * d,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct P {
    pub(super) x: f64,
    pub(super) y: f64,
}

pub(super) const fn p(x: f64, y: f64) -> P {
    P { x, y }
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Seg {
    Line(P),
    Cubic(P, P, P),
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Curve {
    pub(super) start: P,
    pub(super) segs: Vec<Seg>,
}

impl Curve {
    pub(super) fn new(start: P) -> Self {
        Curve { start, segs: Vec::new() }
    }
    pub(super) fn end(&self) -> P {
        match self.segs.last() {
            None => self.start,
            Some(Seg::Line(q)) | Some(Seg::Cubic(_, _, q)) => *q,
        }
    }
    pub(super) fn line(&mut self, q: P) {
        if (q.x - self.end().x).abs() > 1e-9 || (q.y - self.end().y).abs() > 1e-9 {
            self.segs.push(Seg::Line(q));
        }
    }
    pub(super) fn s_curve(&mut self, q: P) {
        let a = self.end();
        let dx = (q.x - a.x) / 2.0;
        self.segs.push(Seg::Cubic(p(a.x + dx, a.y), p(q.x - dx, q.y), q));
    }
    /// Direction of the curve at its end (from the last control point).
    pub(super) fn end_direction(&self) -> P {
        let (from, to) = match self.segs.last() {
            None => (self.start, self.start),
            Some(Seg::Line(q)) => {
                let prev = if self.segs.len() >= 2 {
                    match &self.segs[self.segs.len() - 2] {
                        Seg::Line(r) | Seg::Cubic(_, _, r) => *r,
                    }
                } else {
                    self.start
                };
                (prev, *q)
            }
            Some(Seg::Cubic(_, c2, q)) => (*c2, *q),
        };
        unit(p(to.x - from.x, to.y - from.y))
    }
    pub(super) fn start_direction(&self) -> P {
        match self.segs.first() {
            None => p(1.0, 0.0),
            Some(Seg::Line(q)) => unit(p(q.x - self.start.x, q.y - self.start.y)),
            Some(Seg::Cubic(c1, _, _)) => unit(p(c1.x - self.start.x, c1.y - self.start.y)),
        }
    }
    /// Shorten the curve's end by `d` along its end direction (room for an arrowhead).
    pub(super) fn trim_end(&mut self, d: f64) {
        let dir = self.end_direction();
        if let Some(last) = self.segs.last_mut() {
            match last {
                Seg::Line(q) => {
                    q.x -= dir.x * d;
                    q.y -= dir.y * d;
                }
                Seg::Cubic(_, c2, q) => {
                    q.x -= dir.x * d;
                    q.y -= dir.y * d;
                    c2.x -= dir.x * d;
                    c2.y -= dir.y * d;
                }
            }
        }
    }
    pub(super) fn trim_start(&mut self, d: f64) {
        let dir = self.start_direction();
        self.start.x += dir.x * d;
        self.start.y += dir.y * d;
        if let Some(Seg::Cubic(c1, _, _)) = self.segs.first_mut() {
            c1.x += dir.x * d;
            c1.y += dir.y * d;
        }
    }
    /// Points along the curve: `k` per segment (line and Bézier segments alike).
    pub(super) fn sampled(&self, k: usize) -> Vec<P> {
        let k = k.max(1);
        let mut v = vec![self.start];
        let mut a = self.start;
        for s in &self.segs {
            match s {
                Seg::Line(q) => {
                    v.extend((1..=k).map(|j| {
                        let t = j as f64 / k as f64;
                        p(a.x + (q.x - a.x) * t, a.y + (q.y - a.y) * t)
                    }));
                    a = *q;
                }
                Seg::Cubic(c1, c2, q) => {
                    v.extend((1..=k).map(|j| cubic_at(a, *c1, *c2, *q, j as f64 / k as f64)));
                    a = *q;
                }
            }
        }
        v
    }
    pub(super) fn translate(&mut self, dx: f64, dy: f64) {
        let m = |q: &mut P| {
            q.x += dx;
            q.y += dy;
        };
        m(&mut self.start);
        for s in &mut self.segs {
            match s {
                Seg::Line(q) => m(q),
                Seg::Cubic(a, b, q) => {
                    m(a);
                    m(b);
                    m(q);
                }
            }
        }
    }
    pub(super) fn svg_d(&self) -> String {
        let mut d = format!("M{} {}", num(self.start.x), num(self.start.y));
        for s in &self.segs {
            match s {
                Seg::Line(q) => {
                    let _ = write!(d, " L{} {}", num(q.x), num(q.y));
                }
                Seg::Cubic(a, b, q) => {
                    let _ = write!(
                        d,
                        " C{} {} {} {} {} {}",
                        num(a.x),
                        num(a.y),
                        num(b.x),
                        num(b.y),
                        num(q.x),
                        num(q.y)
                    );
                }
            }
        }
        d
    }
}

pub(super) fn unit(v: P) -> P {
    let n = (v.x * v.x + v.y * v.y).sqrt();
    if n > 0.0 { p(v.x / n, v.y / n) } else { p(1.0, 0.0) }
}

pub(super) fn cubic_at(a: P, c1: P, c2: P, b: P, t: f64) -> P {
    let u = 1.0 - t;
    let w = [u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t];
    p(
        w[0] * a.x + w[1] * c1.x + w[2] * c2.x + w[3] * b.x,
        w[0] * a.y + w[1] * c1.y + w[2] * c2.y + w[3] * b.y,
    )
}

pub(super) fn arrowhead(tip: P, dir: P) -> [P; 3] {
    let back = p(tip.x - dir.x * ARROW_LEN, tip.y - dir.y * ARROW_LEN);
    let nrm = p(-dir.y, dir.x);
    [
        tip,
        p(back.x + nrm.x * ARROW_HALF, back.y + nrm.y * ARROW_HALF),
        p(back.x - nrm.x * ARROW_HALF, back.y - nrm.y * ARROW_HALF),
    ]
}

/// Format a coordinate with at most two decimals, without trailing zeros or `-0`.
pub(super) fn num(v: f64) -> String {
    let r = (v * 100.0).round() / 100.0;
    let r = if r == 0.0 { 0.0 } else { r };
    let s = format!("{r:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

// sizes (SVG user units ≈ pixels)
pub(super) const FONT: f64 = 14.0;
pub(super) const FONT_SMALL: f64 = 11.0;
pub(super) const FONT_IND: f64 = 11.5;
pub(super) const CHAR_W: f64 = 0.62; // average glyph width / font size of Helvetica-like fonts, generous
pub(super) const ARROW_LEN: f64 = 9.0;
pub(super) const ARROW_HALF: f64 = 3.6;
pub(super) const COL_GAP: f64 = 120.0;
pub(super) const BLOCK_SEP: f64 = 30.0;
pub(super) const DUMMY_SEP: f64 = 14.0;
pub(super) const DUMMY_HALF: f64 = 6.0;
pub(super) const IND_H: f64 = 24.0;
pub(super) const IND_GAP: f64 = 8.0;
pub(super) const FAN_H: f64 = 48.0;
pub(super) const MARGIN: f64 = 16.0;

/// Estimated width of `s` at font `size`: display columns (East Asian wide characters and emoji
/// count two, combining marks none) times the average glyph width.
pub(super) fn text_width(s: &str, size: f64) -> f64 {
    unicode_width::UnicodeWidthStr::width(s) as f64 * size * CHAR_W
}

pub(super) fn label_box_size(s: &str) -> (f64, f64) {
    (text_width(s, FONT_SMALL) + 6.0, FONT_SMALL + 4.0)
}
/// Isotonic (non-decreasing) least-squares fit with unit weights: pool adjacent violators.
pub(super) fn isotonic(z: &[f64]) -> Vec<f64> {
    let mut blocks: Vec<(f64, usize)> = Vec::with_capacity(z.len()); // (mean, count)
    for &v in z {
        blocks.push((v, 1));
        while blocks.len() >= 2 {
            let (m2, n2) = blocks[blocks.len() - 1];
            let (m1, n1) = blocks[blocks.len() - 2];
            if m1 <= m2 {
                break;
            }
            blocks.pop();
            blocks.pop();
            let nn = n1 + n2;
            blocks.push(((m1 * n1 as f64 + m2 * n2 as f64) / nn as f64, nn));
        }
    }
    let mut out = Vec::with_capacity(z.len());
    for (m, c) in blocks {
        out.extend(std::iter::repeat_n(m, c));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isotonic_pools_violators() {
        assert_eq!(isotonic(&[1.0, 3.0, 2.0, 4.0]), vec![1.0, 2.5, 2.5, 4.0]);
        assert_eq!(isotonic(&[3.0, 2.0, 1.0]), vec![2.0, 2.0, 2.0]);
        assert_eq!(isotonic(&[]), Vec::<f64>::new());
    }

    #[test]
    fn number_format_is_short_and_stable() {
        assert_eq!(num(1.0), "1");
        assert_eq!(num(1.256), "1.26");
        assert_eq!(num(-0.001), "0");
        assert_eq!(num(12.5), "12.5");
    }
}
