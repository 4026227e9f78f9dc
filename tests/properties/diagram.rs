//! Path diagrams: DOT structure, SVG well-formedness, labels, determinism, and a layout without
//! overlapping nodes or labels, on the study's research model and on random graphs.

use std::collections::HashSet;

use proptest::prelude::*;
use surveystat::Error;
use surveystat::diagram::{
    DiagramEdge, EdgeKind, LabelKind, LineStyle, NodeKind, PathDiagram, coef_label,
};

const CONSTRUCTS: [(&str, &[&str]); 7] = [
    ("GS", &["GS1", "GS2", "GS3"]),
    ("ST", &["ST1", "ST2", "ST3", "ST4"]),
    ("AC", &["AC1", "AC2", "AC3", "AC4"]),
    ("MT", &["MT1", "MT2", "MT3"]),
    ("LP", &["LP1", "LP2", "LP3"]),
    ("IM", &["IM1", "IM2", "IM3"]),
    ("RS", &["RS1", "RS2", "RS3", "RS4"]),
];

const PATHS: [(&str, &str, &str, f64, f64); 10] = [
    ("H1", "ST", "AC", 0.35, 1e-6),
    ("H2", "GS", "AC", 0.25, 1e-4),
    ("H3", "IM", "AC", 0.20, 0.002),
    ("H4", "ST", "MT", 0.45, 1e-8),
    ("H5", "AC", "MT", 0.20, 0.01),
    ("H6", "ST", "LP", -0.30, 1e-5),
    ("H7", "MT", "LP", -0.20, 0.03),
    ("H8", "AC", "RS", 0.35, 1e-7),
    ("H9", "MT", "RS", 0.25, 0.0004),
    ("H10", "LP", "RS", -0.25, 0.2),
];

/// The study's research model with coefficient labels as a fitted model would give them.
fn study() -> PathDiagram {
    let mut d = PathDiagram::new();
    d.title("Chengdu–Chongqing study: standardized solution");
    for (f, items) in CONSTRUCTS {
        d.latent(f);
        for i in items {
            d.observed(*i);
        }
    }
    for (f, items) in CONSTRUCTS {
        for (k, i) in items.iter().enumerate() {
            d.loading(f, i, &format!("0.{}", 70 + k));
        }
    }
    for (h, from, to, b, pv) in PATHS {
        d.edge(DiagramEdge {
            from: from.into(),
            to: to.into(),
            kind: EdgeKind::Regression,
            label: format!("{h}: {}", coef_label(b, Some(pv), 2)),
            style: if pv < 0.05 { LineStyle::Solid } else { LineStyle::Dashed },
        });
    }
    d.covariance("ST", "GS", "0.30").covariance("ST", "IM", "0.28").covariance("GS", "IM", "0.31");
    for (f, r2) in [("AC", 0.35), ("MT", 0.33), ("LP", 0.20), ("RS", 0.41)] {
        d.r_squared(f, r2);
    }
    d
}

/// Check braces balance outside quoted strings, and collect declared nodes and edges.
fn parse_dot(dot: &str) -> (HashSet<String>, Vec<(String, String)>, Vec<String>) {
    let mut depth = 0i32;
    let mut in_str = false;
    let mut esc = false;
    for c in dot.chars() {
        if in_str {
            match (esc, c) {
                (true, _) => esc = false,
                (false, '\\') => esc = true,
                (false, '"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_str = true,
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                assert!(depth >= 0, "unbalanced braces");
            }
            _ => {}
        }
    }
    assert_eq!(depth, 0, "unbalanced braces");
    assert!(!in_str, "unterminated string");
    let quoted = |s: &str| -> Vec<String> {
        let mut out = Vec::new();
        let mut cur = String::new();
        let (mut in_s, mut esc) = (false, false);
        for c in s.chars() {
            if in_s {
                if esc {
                    cur.push(c);
                    esc = false;
                } else if c == '\\' {
                    esc = true;
                } else if c == '"' {
                    out.push(std::mem::take(&mut cur));
                    in_s = false;
                } else {
                    cur.push(c);
                }
            } else if c == '"' {
                in_s = true;
            }
        }
        out
    };
    let mut nodes = HashSet::new();
    let mut edges = Vec::new();
    let mut labels = Vec::new();
    for line in dot.lines().map(str::trim) {
        if line.starts_with('"') && line.contains("->") {
            let q = quoted(line);
            edges.push((q[0].clone(), q[1].clone()));
            if line.contains("label=") {
                labels.push(q[2].clone());
            }
        } else if line.starts_with('"') && line.contains("[shape=") {
            let q = quoted(line);
            nodes.insert(q[0].clone());
        }
    }
    (nodes, edges, labels)
}

fn svg_texts(svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).expect("well-formed SVG");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(root.tag_name().namespace(), Some("http://www.w3.org/2000/svg"));
    root.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or("").to_string())
        .collect()
}

#[test]
fn dot_is_structurally_valid_and_complete() {
    let d = study();
    let dot = d.to_dot().unwrap();
    assert!(dot.starts_with("digraph "));
    assert!(dot.contains("rankdir=LR"));
    let (nodes, edges, labels) = parse_dot(&dot);
    assert_eq!(nodes.len(), 7 + 24);
    assert_eq!(edges.len(), 24 + 10 + 3);
    for (a, b) in &edges {
        assert!(nodes.contains(a) && nodes.contains(b), "edge {a} -> {b} names an undeclared node");
    }
    for e in d.edges() {
        assert!(labels.contains(&e.label), "label {} missing from DOT", e.label);
    }
    for (f, items) in CONSTRUCTS {
        assert!(dot.contains(&format!("\"{f}\" [shape=ellipse")));
        for i in items {
            assert!(dot.contains(&format!("\"{i}\" [shape=box")));
        }
    }
    assert!(dot.contains("R² = 0.35"));
    assert_eq!(dot.matches("dir=both").count(), 3);
    assert!(dot.contains("{ rank=same; "));
}

#[test]
fn svg_is_well_formed_and_shows_every_label() {
    let d = study();
    let svg = d.to_svg().unwrap();
    let texts = svg_texts(&svg);
    for n in d.nodes() {
        assert!(texts.contains(&n.label), "node {} missing", n.label);
    }
    for e in d.edges() {
        assert!(texts.contains(&e.label), "edge label {} missing", e.label);
    }
    for r2 in ["R² = 0.35", "R² = 0.33", "R² = 0.20", "R² = 0.41"] {
        assert!(texts.iter().any(|t| t == r2), "{r2}");
    }
    assert!(texts.iter().any(|t| t.starts_with("Chengdu–Chongqing")));
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let count = |tag: &str| doc.descendants().filter(|n| n.has_tag_name(tag)).count();
    assert_eq!(count("ellipse"), 7);
    assert_eq!(count("path"), 24 + 10 + 3);
    // one head per directed edge, two per covariance
    assert_eq!(count("polygon"), 24 + 10 + 2 * 3);
    let dashed = doc
        .descendants()
        .filter(|n| n.has_tag_name("path") && n.attribute("stroke-dasharray").is_some())
        .count();
    assert_eq!(dashed, 3 + 1, "covariances and the non-significant H10 are dashed");
}

#[test]
fn output_is_deterministic() {
    let a = study();
    let b = study();
    assert_eq!(a.to_svg().unwrap(), b.to_svg().unwrap());
    assert_eq!(a.to_dot().unwrap(), b.to_dot().unwrap());
    assert_eq!(a.to_svg().unwrap(), a.clone().to_svg().unwrap());
}

#[test]
fn study_layers_follow_the_hypotheses() {
    let l = study().layout().unwrap();
    assert_eq!(l.n_layers(), 5);
    for (id, layer) in [("ST", 0), ("GS", 0), ("IM", 0), ("AC", 1), ("MT", 2), ("LP", 3), ("RS", 4)]
    {
        assert_eq!(l.layer_of(id), Some(layer), "{id}");
    }
    assert_eq!(l.layer_of("ST1"), None);
    // every structural arrow points to the right
    for s in l.edge_samples(4) {
        if s.kind == EdgeKind::Regression {
            assert!(
                s.points.last().unwrap().0 > s.points[0].0,
                "{} -> {} points left",
                s.from,
                s.to
            );
        }
    }
}

fn assert_clean(l: &surveystat::diagram::Layout, check_labels: bool) {
    let nodes = l.nodes();
    for i in 0..nodes.len() {
        for j in i + 1..nodes.len() {
            assert!(
                !nodes[i].bbox().overlaps(&nodes[j].bbox()),
                "nodes {} and {} overlap",
                nodes[i].id(),
                nodes[j].id()
            );
        }
    }
    for n in nodes {
        let b = n.bbox();
        assert!(b.x >= 0.0 && b.y >= 0.0, "{} outside", n.id());
        assert!(b.x + b.width <= l.width() && b.y + b.height <= l.height(), "{} outside", n.id());
    }
    if check_labels {
        let labels = l.labels();
        for (a, la) in labels.iter().enumerate() {
            for n in nodes {
                assert!(
                    !la.rect().overlaps(&n.bbox()),
                    "label {} overlaps node {}",
                    la.text(),
                    n.id()
                );
            }
            for lb in &labels[a + 1..] {
                assert!(
                    !la.rect().overlaps(&lb.rect()),
                    "labels {} and {} overlap",
                    la.text(),
                    lb.text()
                );
            }
        }
    }
}

#[test]
fn study_layout_has_no_overlaps_and_edges_avoid_other_nodes() {
    let l = study().layout().unwrap();
    assert_clean(&l, true);
    assert_eq!(l.labels().iter().filter(|x| x.kind() == LabelKind::Title).count(), 1);
    for s in l.edge_samples(24) {
        let (from, to, pts) = (&s.from, &s.to, &s.points);
        for n in l.nodes() {
            if n.id() == from || n.id() == to {
                continue;
            }
            let b = n.bbox();
            for &(x, y) in pts {
                let inside = x > b.x && x < b.x + b.width && y > b.y && y < b.y + b.height;
                assert!(!inside, "edge {from} -> {to} crosses node {}", n.id());
            }
        }
    }
}

#[test]
fn indicators_can_be_hidden() {
    let mut d = study();
    d.show_indicators(false).show_r_squared(false);
    let svg = d.to_svg().unwrap();
    let texts = svg_texts(&svg);
    assert!(!texts.iter().any(|t| t == "ST1"));
    assert!(!texts.iter().any(|t| t.starts_with("R²")));
    assert!(texts.iter().any(|t| t == "H1: 0.35***"));
    let dot = d.to_dot().unwrap();
    assert!(!dot.contains("\"ST1\""));
    let l = d.layout().unwrap();
    assert_eq!(l.nodes().len(), 7);
    assert_clean(&l, true);
}

#[test]
fn observed_path_model_and_cfa_only() {
    // a path model on observed variables with a residual covariance between the outcomes
    let mut d = PathDiagram::new();
    d.observed("x1").observed("x2").observed("m").observed("y1").observed("y2");
    d.regression("x1", "m", "a").regression("x2", "m", "b");
    d.regression("m", "y1", "c").regression("m", "y2", "d").regression("x1", "y2", "e");
    d.covariance("y1", "y2", "r").covariance("x1", "x2", "s");
    let l = d.layout().unwrap();
    assert_clean(&l, true);
    assert!(l.nodes().iter().all(|n| n.kind() == NodeKind::Observed && !n.is_indicator()));
    svg_texts(&d.to_svg().unwrap());
    // a CFA: factors only, all in one column, with indicators and covariances
    let mut c = PathDiagram::new();
    for f in ["visual", "textual", "speed"] {
        c.latent(f);
    }
    for (f, items) in [
        ("visual", ["x1", "x2", "x3"]),
        ("textual", ["x4", "x5", "x6"]),
        ("speed", ["x7", "x8", "x9"]),
    ] {
        for i in items {
            c.observed(i).loading(f, i, "0.7");
        }
    }
    c.covariance("visual", "textual", "0.46").covariance("visual", "speed", "0.47");
    c.covariance("textual", "speed", "0.28");
    let l = c.layout().unwrap();
    assert_eq!(l.n_layers(), 1);
    assert_clean(&l, true);
}

#[test]
fn text_is_escaped_in_svg_and_dot() {
    let mut d = PathDiagram::new();
    d.latent("A<&>").latent("B\"q\"").regression("A<&>", "B\"q\"", "β < 0 & 'x'");
    let svg = d.to_svg().unwrap();
    let texts = svg_texts(&svg);
    assert!(texts.contains(&"A<&>".to_string()));
    assert!(texts.contains(&"β < 0 & 'x'".to_string()));
    let (nodes, edges, labels) = parse_dot(&d.to_dot().unwrap());
    assert!(nodes.contains("B\"q\""));
    assert_eq!(edges, vec![("A<&>".to_string(), "B\"q\"".to_string())]);
    assert_eq!(labels, vec!["β < 0 & 'x'".to_string()]);
}

#[test]
fn invalid_descriptions_are_errors() {
    let mut d = PathDiagram::new();
    d.latent("F").regression("F", "G", "");
    assert!(matches!(d.to_svg(), Err(Error::UnknownVariable { name }) if name == "G"));
    let mut d = PathDiagram::new();
    d.latent("F").latent("F");
    assert!(matches!(d.to_dot(), Err(Error::DuplicateVariable { .. })));
    let mut d = PathDiagram::new();
    d.observed("x").observed("y").loading("x", "y", "");
    assert!(matches!(d.validate(), Err(Error::InvalidParameter { .. })));
    let mut d = PathDiagram::new();
    d.latent("F").regression("F", "F", "");
    assert!(matches!(d.validate(), Err(Error::InvalidParameter { .. })));
    let mut d = PathDiagram::new();
    d.latent("F").r_squared("F", f64::NAN);
    assert!(matches!(d.validate(), Err(Error::InvalidParameter { .. })));
    let mut d = PathDiagram::new();
    d.latent("F").r_squared("nope", 0.5);
    assert!(matches!(d.validate(), Err(Error::UnknownVariable { .. })));
    let mut d = PathDiagram::new();
    d.latent(" ");
    assert!(matches!(d.validate(), Err(Error::InvalidParameter { .. })));
    // an empty diagram is valid and renders
    let e = PathDiagram::new();
    svg_texts(&e.to_svg().unwrap());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    /// Random graphs (cycles and covariances included): well-formed SVG, no overlapping nodes,
    /// deterministic output, every label present.
    #[test]
    fn random_graphs_render_cleanly(
        n_lat in 1usize..7,
        n_obs in 0usize..4,
        inds in proptest::collection::vec(0usize..4, 7),
        paths in proptest::collection::vec((0usize..10, 0usize..10), 0..14),
        covs in proptest::collection::vec((0usize..10, 0usize..10), 0..4),
    ) {
        let mut d = PathDiagram::new();
        let mut ids: Vec<String> = Vec::new();
        for (f, &n_ind) in inds.iter().enumerate().take(n_lat) {
            let id = format!("F{f}");
            d.latent(id.as_str());
            ids.push(id.clone());
            for k in 0..n_ind {
                let i = format!("F{f}_{k}");
                d.observed(i.as_str()).loading(&id, &i, &format!("0.{}", 50 + k));
            }
        }
        for o in 0..n_obs {
            let id = format!("x{o}");
            d.observed(id.as_str());
            ids.push(id);
        }
        let m = ids.len();
        let mut seen = HashSet::new();
        for (a, b) in paths {
            let (a, b) = (a % m, b % m);
            if a != b && seen.insert((a.min(b), a.max(b))) {
                d.regression(&ids[a], &ids[b], &format!("p{a}{b}"));
            }
        }
        for (a, b) in covs {
            let (a, b) = (a % m, b % m);
            if a != b && seen.insert((a.min(b), a.max(b))) {
                d.covariance(&ids[a], &ids[b], &format!("c{a}{b}"));
            }
        }
        let svg = d.to_svg().unwrap();
        prop_assert_eq!(&svg, &d.clone().to_svg().unwrap());
        let texts = svg_texts(&svg);
        for e in d.edges() {
            prop_assert!(texts.contains(&e.label));
        }
        let l = d.layout().unwrap();
        assert_clean(&l, false);
        let (nodes, edges, _) = parse_dot(&d.to_dot().unwrap());
        for (a, b) in edges {
            prop_assert!(nodes.contains(&a) && nodes.contains(&b));
        }
    }
}

/// lavaan's parameterEstimates(standardized = TRUE) of the study SEM (study_sem.json) as ParamRows.
fn study_sem_rows() -> (Vec<surveystat::summary::ParamRow>, serde_json::Value) {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/expected/study_sem.json");
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
    let rows = v["results"]["parameter_estimates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let mut row = surveystat::summary::ParamRow::new(
                r["lhs"].as_str().unwrap(),
                r["op"].as_str().unwrap(),
                r["rhs"].as_str().unwrap(),
                r["est"].as_f64().unwrap(),
            );
            row.label = r["label"].as_str().unwrap_or("").to_string();
            row.se = r["se"].as_f64();
            row.pvalue = r["pvalue"].as_f64();
            row.std_lv = r["std.lv"].as_f64();
            row.std_all = r["std.all"].as_f64();
            row
        })
        .collect();
    (rows, v)
}

#[test]
fn diagram_from_lavaan_parameter_rows_of_the_study_sem() {
    use surveystat::diagram::Coefficient;
    let (rows, v) = study_sem_rows();
    let mut d = PathDiagram::from_param_rows(&rows, Coefficient::StdAll, 2);
    for (k, r2) in v["results"]["r_squared"].as_object().unwrap() {
        if ["AC", "MT", "LP", "RS"].contains(&k.as_str()) {
            d.r_squared(k, r2.as_f64().unwrap());
        }
    }
    let latent: Vec<&str> =
        d.nodes().iter().filter(|n| n.kind == NodeKind::Latent).map(|n| n.id.as_str()).collect();
    assert_eq!(latent, vec!["GS", "ST", "AC", "MT", "LP", "IM", "RS"]);
    assert_eq!(d.nodes().len(), 31);
    let regressions: Vec<_> = d.edges().iter().filter(|e| e.kind == EdgeKind::Regression).collect();
    assert_eq!(regressions.len(), 10);
    assert_eq!(d.edges().iter().filter(|e| e.kind == EdgeKind::Loading).count(), 24);
    assert_eq!(d.edges().iter().filter(|e| e.kind == EdgeKind::Covariance).count(), 3);
    // labels are lavaan's std.all with stars, e.g. ST -> AC
    for p in v["results"]["structural_paths"].as_array().unwrap() {
        let (lhs, rhs) = (p["lhs"].as_str().unwrap(), p["rhs"].as_str().unwrap());
        let want = coef_label(p["std.all"].as_f64().unwrap(), p["pvalue"].as_f64(), 2);
        let e = regressions.iter().find(|e| e.from == rhs && e.to == lhs).unwrap();
        assert_eq!(e.label, want, "{rhs} -> {lhs}");
    }
    let l = d.layout().unwrap();
    assert_clean(&l, true);
    for (id, layer) in [("ST", 0), ("GS", 0), ("IM", 0), ("AC", 1), ("MT", 2), ("LP", 3), ("RS", 4)]
    {
        assert_eq!(l.layer_of(id), Some(layer), "{id}");
    }
    let texts = svg_texts(&d.to_svg().unwrap());
    for e in d.edges() {
        assert!(texts.contains(&e.label));
    }
    if let Ok(dir) = std::env::var("SURVEYSTAT_DIAGRAM_OUT") {
        std::fs::write(format!("{dir}/study_fitted.svg"), d.to_svg().unwrap()).unwrap();
    }
}

fn fixture_rows(case: &str) -> Vec<surveystat::summary::ParamRow> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("tests/fixtures/expected/{case}.json"));
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
    v["results"]["parameter_estimates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let mut row = surveystat::summary::ParamRow::new(
                r["lhs"].as_str().unwrap(),
                r["op"].as_str().unwrap(),
                r["rhs"].as_str().unwrap(),
                r["est"].as_f64().unwrap(),
            );
            row.pvalue = r["pvalue"].as_f64();
            row.std_all = r["std.all"].as_f64();
            row
        })
        .collect()
}

#[test]
fn political_democracy_with_residual_covariances() {
    use surveystat::diagram::Coefficient;
    let d = PathDiagram::from_param_rows(&fixture_rows("sem_poldem"), Coefficient::StdAll, 2);
    let l = d.layout().unwrap();
    assert_clean(&l, true);
    // residual covariances between indicators keep them in their factor's fan
    for id in ["y1", "y5", "y2", "y4"] {
        assert!(l.nodes().iter().find(|n| n.id() == id).unwrap().is_indicator(), "{id}");
    }
    assert_eq!(l.layer_of("ind60"), Some(0));
    assert_eq!(l.layer_of("dem60"), Some(1));
    assert_eq!(l.layer_of("dem65"), Some(2));
    let texts = svg_texts(&d.to_svg().unwrap());
    for e in d.edges() {
        assert!(texts.contains(&e.label), "{}", e.label);
    }
    if let Ok(dir) = std::env::var("SURVEYSTAT_DIAGRAM_OUT") {
        std::fs::write(format!("{dir}/poldem.svg"), d.to_svg().unwrap()).unwrap();
    }
}

#[test]
fn second_order_factor_and_observed_outcome() {
    let mut d = PathDiagram::new();
    d.latent("G");
    for f in ["F1", "F2", "F3"] {
        d.latent(f).loading("G", f, "0.8");
        for k in 1..=3 {
            let i = format!("{f}_{k}");
            d.observed(i.as_str()).loading(f, &i, "0.7");
        }
    }
    d.observed("y").regression("G", "y", "0.5***").r_squared("y", 0.25);
    d.covariance("F1_1", "F1_3", "0.1").covariance("F1_1", "F2_1", "0.05");
    let l = d.layout().unwrap();
    assert_clean(&l, true);
    assert_eq!(l.layer_of("G"), Some(0));
    assert_eq!(l.layer_of("F1"), Some(1));
    assert_eq!(l.layer_of("y"), Some(1));
    let texts = svg_texts(&d.to_svg().unwrap());
    assert!(texts.contains(&"R² = 0.25".to_string()));
}
