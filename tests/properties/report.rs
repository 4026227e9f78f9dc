//! Markdown rendering of summaries and reports: escaping, pipe tables, alignment rows, headings.

use proptest::prelude::*;
use surveystat::report::{Report, escape_markdown, summary_to_markdown, table_to_markdown};
use surveystat::summary::{Align, Summary, Table};

/// Split a pipe-table line into cells on unescaped `|` (the GFM rule), trimming each cell.
fn cells(line: &str) -> Vec<String> {
    let line = line.trim();
    assert!(line.starts_with('|') && line.ends_with('|'), "not a table row: {line}");
    let inner = &line[1..line.len() - 1];
    let mut out = vec![String::new()];
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                out.last_mut().unwrap().push('\\');
                if let Some(n) = chars.next() {
                    out.last_mut().unwrap().push(n);
                }
            }
            '|' => out.push(String::new()),
            _ => out.last_mut().unwrap().push(c),
        }
    }
    out.iter().map(|c| c.trim().to_string()).collect()
}

/// Remove Markdown backslash escapes (what a renderer shows).
fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                if n.is_ascii_punctuation() {
                    out.push(n);
                } else {
                    out.push('\\');
                    out.push(n);
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn table_lines(md: &str) -> Vec<&str> {
    md.lines().filter(|l| l.starts_with('|')).collect()
}

#[test]
fn pipes_in_cells_are_escaped_and_rows_keep_their_width() {
    let mut t = Table::new(Some("Fit | measures"), ["measure", "value"]);
    t.push(["chi|sq", "1.5"]);
    t.push(["a || b", "|"]);
    t.push(["only one cell"]); // short row padded
    let md = table_to_markdown(&t);
    assert!(md.starts_with("**Fit \\| measures**\n\n"), "{md}");
    let lines = table_lines(&md);
    assert_eq!(lines.len(), 5);
    for l in &lines {
        assert_eq!(cells(l).len(), 2, "row {l}");
    }
    assert_eq!(unescape(&cells(lines[2])[0]), "chi|sq");
    assert_eq!(unescape(&cells(lines[3])[0]), "a || b");
    assert_eq!(unescape(&cells(lines[3])[1]), "|");
    assert_eq!(cells(lines[4])[1], "");
}

#[test]
fn alignment_row_follows_table_alignment() {
    let mut t = Table::new(None, ["item", "loading", "note"]);
    t.align = vec![Align::Left, Align::Right, Align::Left];
    t.push(["GS1", "0.78", "ok"]);
    let md = table_to_markdown(&t);
    let sep = cells(table_lines(&md)[1]);
    assert_eq!(sep.len(), 3);
    assert!(sep[0].starts_with(':') && !sep[0].ends_with(':'));
    assert!(sep[1].ends_with(':') && !sep[1].starts_with(':'));
    assert!(sep[2].starts_with(':'));
    for s in &sep {
        assert!(s.trim_matches(':').chars().all(|c| c == '-') && s.len() >= 4, "{s}");
    }
    // default alignment: first left, rest right
    let t = Table::new(None, ["a", "b"]);
    let sep = cells(table_lines(&table_to_markdown(&t))[1]);
    assert!(sep[0].starts_with(':') && sep[1].ends_with(':'));
}

#[test]
fn columns_are_padded_to_equal_width() {
    let mut t = Table::new(None, ["construct", "alpha"]);
    t.push(["ST", "0.812"]);
    t.push(["RS", "0.79"]);
    let md = table_to_markdown(&t);
    let widths: Vec<usize> = table_lines(&md).iter().map(|l| l.chars().count()).collect();
    assert!(widths.windows(2).all(|w| w[0] == w[1]), "{md}");
}

#[test]
fn stars_and_less_than_survive_rendering() {
    let mut t = Table::new(None, ["path", "beta", "p"]);
    t.push(["ST -> AC", "0.351***", "< 2e-16"]);
    t.push(["ST -> LP", "-0.298**", "0.0012"]);
    let md = table_to_markdown(&t);
    let rows = table_lines(&md);
    let c = cells(rows[2]);
    assert_eq!(unescape(&c[1]), "0.351***");
    assert_eq!(unescape(&c[2]), "< 2e-16");
    assert!(c[1].contains("\\*\\*\\*"));
    assert_eq!(cells(rows[3])[1], "-0.298\\*\\*"); // a leading minus stays plain
}

#[test]
fn summary_headings_key_values_tables_and_text() {
    let mut s = Summary::new("Structural model");
    s.key_values([("Estimator", "ML"), ("Observations", "612")]);
    let mut t = Table::new(Some("Regressions"), ["path", "est"]);
    t.push(["AC ~ ST", "0.35"]);
    s.table(t);
    s.text("Signif. codes: 0 '***' 0.001 '**' 0.01 '*' 0.05\nsecond line");
    let md = summary_to_markdown(&s, 3);
    assert!(md.starts_with("### Structural model\n\n"), "{md}");
    assert!(md.contains("| Estimator    |"));
    assert!(md.contains("**Regressions**"));
    assert!(md.contains("'\\*\\*\\*'"));
    assert!(md.contains("0.05\\\nsecond line"), "hard line break keeps the line: {md}");
    // blocks are separated by blank lines: a table never runs into the next block
    assert!(!md.contains("|\n**"), "{md}");
    assert!(md.ends_with('\n'));
}

#[test]
fn report_sections_and_heading_levels() {
    let mut s = Summary::new("Cronbach's alpha: ST");
    s.key_values([("raw_alpha", "0.81")]);
    let mut r = Report::new();
    r.heading(1, "Study")
        .markdown("Data: *simulated*, n = 612.")
        .section("1. Sample")
        .bullets(["Chengdu: 329", "Chongqing: 283"])
        .section("2. Reliability")
        .summary(&s)
        .image("path diagram", "study model.svg")
        .code("sh", "surveystat study --report out.md");
    let md = r.to_markdown();
    let headings: Vec<&str> = md.lines().filter(|l| l.starts_with('#')).collect();
    assert_eq!(
        headings,
        vec!["# Study", "## 1. Sample", "## 2. Reliability", "### Cronbach's alpha: ST"]
    );
    assert!(md.contains("Data: *simulated*, n = 612.")); // caller markdown is kept
    assert!(md.contains("- Chengdu: 329\n- Chongqing: 283\n"));
    assert!(md.contains("![path diagram](<study model.svg>)"));
    assert!(md.contains("```sh\nsurveystat study --report out.md\n```\n"));
    assert!(!md.contains("\n\n\n"), "no double blank lines");
    assert_eq!(r.to_string(), md);
}

#[test]
fn report_writes_file_and_reports_io_errors() {
    let dir = std::env::temp_dir().join(format!("surveystat-report-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("out.md");
    let mut r = Report::new();
    r.heading(1, "T").text("x");
    r.write_to(&path).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "# T\n\nx\n");
    std::fs::remove_dir_all(&dir).unwrap();
    let bad = dir.join("no/such/dir/out.md");
    assert!(matches!(r.write_to(&bad), Err(surveystat::Error::Io { .. })));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any cell text stays one cell, and a renderer shows it as written (newlines become spaces).
    #[test]
    fn any_cell_text_round_trips(a in "[ -~\\n]{0,24}", b in "[ -~]{0,12}") {
        let mut t = Table::new(None, ["x", "y"]);
        t.push([a.clone(), b.clone()]);
        let md = table_to_markdown(&t);
        let lines = table_lines(&md);
        prop_assert_eq!(lines.len(), 3);
        let c = cells(lines[2]);
        prop_assert_eq!(c.len(), 2);
        prop_assert_eq!(unescape(&c[0]), a.replace('\n', " ").trim().to_string());
        prop_assert_eq!(unescape(&c[1]), b.trim().to_string());
    }

    /// Escaped text never contains an unescaped Markdown metacharacter.
    #[test]
    fn escaped_text_has_no_bare_metacharacters(s in "[ -~]{0,32}") {
        let e = escape_markdown(&s);
        let mut chars = e.chars();
        while let Some(c) = chars.next() {
            if c == '\\' { chars.next(); continue; }
            prop_assert!(!matches!(c, '|' | '*' | '`' | '<' | '>' | '[' | ']'), "{}", e);
        }
        prop_assert_eq!(unescape(&e), s);
    }
}
