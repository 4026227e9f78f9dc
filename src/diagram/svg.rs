//! SVG output of a computed [`Layout`].

use std::fmt::Write as _;

use super::geometry::{FONT, FONT_IND, FONT_SMALL, num};
use super::layout::{LabelKind, Layout};
use super::model::{EdgeKind, LineStyle, NodeKind};

impl Layout {
    /// The SVG document.
    pub fn to_svg(&self) -> String {
        let mut s = String::new();
        s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = writeln!(
            s,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"Helvetica, Arial, sans-serif\">",
            w = num(self.width),
            h = num(self.height)
        );
        if let Some(t) = &self.title {
            let _ = writeln!(s, "<title>{}</title>", xml_escape(t));
        }
        let _ = writeln!(
            s,
            "<rect x=\"0\" y=\"0\" width=\"{}\" height=\"{}\" fill=\"#ffffff\"/>",
            num(self.width),
            num(self.height)
        );
        s.push_str("<g class=\"edges\" fill=\"none\" stroke=\"#333333\" stroke-width=\"1.3\">\n");
        for e in &self.edges {
            let class = match e.kind {
                EdgeKind::Regression => "regression",
                EdgeKind::Loading => "loading",
                EdgeKind::Covariance => "covariance",
            };
            let mut extra = String::new();
            if e.kind == EdgeKind::Covariance || e.style == LineStyle::Dashed {
                extra.push_str(" stroke-dasharray=\"5 3\"");
            }
            if e.kind == EdgeKind::Loading {
                extra.push_str(" stroke=\"#666666\" stroke-width=\"1\"");
            }
            let _ = writeln!(
                s,
                "<path class=\"{class}\" data-from=\"{}\" data-to=\"{}\" d=\"{}\"{extra}/>",
                xml_escape(&e.from),
                xml_escape(&e.to),
                e.curve.svg_d()
            );
        }
        s.push_str("</g>\n<g class=\"arrowheads\" fill=\"#333333\" stroke=\"none\">\n");
        for e in &self.edges {
            for h in &e.heads {
                let _ = writeln!(
                    s,
                    "<polygon points=\"{},{} {},{} {},{}\"/>",
                    num(h[0].x),
                    num(h[0].y),
                    num(h[1].x),
                    num(h[1].y),
                    num(h[2].x),
                    num(h[2].y)
                );
            }
        }
        s.push_str("</g>\n<g class=\"nodes\">\n");
        for n in &self.nodes {
            match n.kind {
                NodeKind::Latent => {
                    let _ = writeln!(
                        s,
                        "<ellipse class=\"latent\" cx=\"{}\" cy=\"{}\" rx=\"{}\" ry=\"{}\" fill=\"#eef3fb\" stroke=\"#2b4c7e\" stroke-width=\"1.6\"/>",
                        num(n.cx),
                        num(n.cy),
                        num(n.width / 2.0),
                        num(n.height / 2.0)
                    );
                }
                NodeKind::Observed => {
                    let b = n.bbox();
                    let (fill, stroke) =
                        if n.indicator { ("#fafafa", "#555555") } else { ("#f4f4f4", "#333333") };
                    let _ = writeln!(
                        s,
                        "<rect class=\"observed\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"1.2\"/>",
                        num(b.x),
                        num(b.y),
                        num(b.width),
                        num(b.height)
                    );
                }
            }
            let size = if n.indicator { FONT_IND } else { FONT };
            let weight = if n.kind == NodeKind::Latent { " font-weight=\"bold\"" } else { "" };
            match n.r_squared {
                Some(r2) => {
                    let _ = writeln!(
                        s,
                        "<text x=\"{}\" y=\"{}\" font-size=\"{}\" text-anchor=\"middle\"{weight} fill=\"#111111\">{}</text>",
                        num(n.cx),
                        num(n.cy - 3.0),
                        num(size),
                        xml_escape(&n.label)
                    );
                    let _ = writeln!(
                        s,
                        "<text class=\"r2\" x=\"{}\" y=\"{}\" font-size=\"{}\" text-anchor=\"middle\" fill=\"#333333\">{}</text>",
                        num(n.cx),
                        num(n.cy + 12.0),
                        num(FONT_SMALL),
                        xml_escape(&r2_text(r2))
                    );
                }
                None => {
                    let _ = writeln!(
                        s,
                        "<text x=\"{}\" y=\"{}\" font-size=\"{}\" text-anchor=\"middle\"{weight} fill=\"#111111\">{}</text>",
                        num(n.cx),
                        num(n.cy + size * 0.36),
                        num(size),
                        xml_escape(&n.label)
                    );
                }
            }
        }
        s.push_str("</g>\n<g class=\"labels\">\n");
        for l in &self.labels {
            let r = l.rect;
            let size = if l.kind == LabelKind::Title { FONT + 2.0 } else { FONT_SMALL };
            if l.kind != LabelKind::Title {
                let _ = writeln!(
                    s,
                    "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"3\" fill=\"#ffffff\" fill-opacity=\"0.92\" stroke=\"none\"/>",
                    num(r.x),
                    num(r.y),
                    num(r.width),
                    num(r.height)
                );
            }
            let weight = if l.kind == LabelKind::Title { " font-weight=\"bold\"" } else { "" };
            let _ = writeln!(
                s,
                "<text x=\"{}\" y=\"{}\" font-size=\"{}\" text-anchor=\"middle\"{weight} fill=\"#111111\">{}</text>",
                num(r.x + r.width / 2.0),
                num(r.y + r.height / 2.0 + size * 0.36),
                num(size),
                xml_escape(&l.text)
            );
        }
        s.push_str("</g>\n</svg>\n");
        s
    }
}

/// The R² line of a node.
pub(super) fn r2_text(r2: f64) -> String {
    format!("R² = {r2:.2}")
}

pub(super) fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && c != '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escaping() {
        assert_eq!(xml_escape("<a & 'b'>"), "&lt;a &amp; &apos;b&apos;&gt;");
    }
}
