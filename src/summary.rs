//! Result tables shared by every estimator: the parameter row and the printable [`Summary`].

use std::fmt;

use unicode_width::UnicodeWidthStr;

/// One estimated parameter, shaped like a row of lavaan's `parameterEstimates()`.
///
/// Shared by OLS (`lhs ~ rhs` rows), EFA (`factor =~ item` loadings) and SEM. Fields that do not
/// apply are `None` (for example standard errors of a fixed parameter).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ParamRow {
    /// Left-hand side (dependent variable, factor, or the defined parameter's name).
    pub lhs: String,
    /// Operator: `=~`, `~`, `~~`, `~1`, `:=`.
    pub op: String,
    /// Right-hand side (predictor, indicator, or the defining expression).
    pub rhs: String,
    /// User label (empty if none).
    pub label: String,
    /// Estimate.
    #[cfg_attr(feature = "serde", serde(with = "crate::serialize::nullable"))]
    pub est: f64,
    /// Standard error.
    pub se: Option<f64>,
    /// Test statistic (`z` in SEM, `t` in OLS).
    pub z: Option<f64>,
    /// Two-sided p-value.
    pub pvalue: Option<f64>,
    /// Lower confidence limit.
    pub ci_lower: Option<f64>,
    /// Upper confidence limit.
    pub ci_upper: Option<f64>,
    /// Standardized on latent variables only.
    pub std_lv: Option<f64>,
    /// Standardized on all variables.
    pub std_all: Option<f64>,
}

impl ParamRow {
    /// A row with only the identifying fields and the estimate.
    pub fn new(
        lhs: impl Into<String>,
        op: impl Into<String>,
        rhs: impl Into<String>,
        est: f64,
    ) -> Self {
        Self {
            lhs: lhs.into(),
            op: op.into(),
            rhs: rhs.into(),
            label: String::new(),
            est,
            se: None,
            z: None,
            pvalue: None,
            ci_lower: None,
            ci_upper: None,
            std_lv: None,
            std_all: None,
        }
    }
}

/// Convergence of an iterative procedure, as data.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Convergence {
    /// Whether the convergence criterion was met.
    pub converged: bool,
    /// Iterations used.
    pub iterations: usize,
    /// Why the procedure stopped, in words.
    pub reason: String,
}

/// Horizontal alignment of a table column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Align {
    /// Left aligned (labels).
    Left,
    /// Right aligned (numbers).
    Right,
}

/// A table of already formatted cells.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Table {
    /// Optional caption printed above the table.
    pub title: Option<String>,
    /// Column headers.
    pub columns: Vec<String>,
    /// Alignment per column (missing entries: first column left, the rest right).
    pub align: Vec<Align>,
    /// Rows of cells.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with the given headers; the first column is left aligned, the others right.
    pub fn new<S: Into<String>>(title: Option<&str>, columns: impl IntoIterator<Item = S>) -> Self {
        let columns: Vec<String> = columns.into_iter().map(Into::into).collect();
        let align =
            (0..columns.len()).map(|i| if i == 0 { Align::Left } else { Align::Right }).collect();
        Self { title: title.map(str::to_string), columns, align, rows: Vec::new() }
    }

    /// Append a row.
    pub fn push<S: Into<String>>(&mut self, row: impl IntoIterator<Item = S>) {
        self.rows.push(row.into_iter().map(Into::into).collect());
    }
}

/// One block of a summary.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Block {
    /// Aligned `key  value` lines.
    KeyValues(Vec<(String, String)>),
    /// A table.
    Table(Table),
    /// Free text (one or more lines).
    Text(String),
}

/// A printable summary of a fitted model: a title and blocks. `Display` renders plain text in the
/// manner of R's `summary()` / `print()`.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Summary {
    /// Title line.
    pub title: String,
    /// Blocks in order.
    pub blocks: Vec<Block>,
}

impl Summary {
    /// An empty summary with a title.
    pub fn new(title: impl Into<String>) -> Self {
        Self { title: title.into(), blocks: Vec::new() }
    }

    /// Append key–value lines.
    pub fn key_values<K: Into<String>, V: Into<String>>(
        &mut self,
        kv: impl IntoIterator<Item = (K, V)>,
    ) -> &mut Self {
        self.blocks
            .push(Block::KeyValues(kv.into_iter().map(|(k, v)| (k.into(), v.into())).collect()));
        self
    }

    /// Append a table.
    pub fn table(&mut self, t: Table) -> &mut Self {
        self.blocks.push(Block::Table(t));
        self
    }

    /// Append text.
    pub fn text(&mut self, s: impl Into<String>) -> &mut Self {
        self.blocks.push(Block::Text(s.into()));
        self
    }
}

/// Columns a text takes in a monospaced terminal or editor: East Asian wide and fullwidth
/// characters (Chinese, Japanese and Korean script, fullwidth forms) count two, combining marks
/// none, everything else one. Tables are padded by this width, not by the number of characters,
/// so that they stay aligned with Chinese variable names.
///
/// # References
///
/// Unicode Standard Annex #11, East Asian Width (via the `unicode-width` crate).
pub(crate) fn display_width(s: &str) -> usize {
    s.width()
}

fn render_table(f: &mut fmt::Formatter<'_>, t: &Table) -> fmt::Result {
    if let Some(title) = &t.title {
        writeln!(f, "{title}")?;
    }
    let ncol = t.columns.len().max(t.rows.iter().map(Vec::len).max().unwrap_or(0));
    let mut width = vec![0usize; ncol];
    for (j, c) in t.columns.iter().enumerate() {
        width[j] = width[j].max(display_width(c));
    }
    for r in &t.rows {
        for (j, c) in r.iter().enumerate() {
            width[j] = width[j].max(display_width(c));
        }
    }
    let align = |j: usize| {
        t.align.get(j).copied().unwrap_or(if j == 0 { Align::Left } else { Align::Right })
    };
    let line = |f: &mut fmt::Formatter<'_>, cells: &[String]| -> fmt::Result {
        let mut s = String::new();
        for (j, w) in width.iter().enumerate() {
            let c = cells.get(j).map(String::as_str).unwrap_or("");
            if j > 0 {
                s.push_str("  ");
            }
            let pad = w.saturating_sub(display_width(c));
            match align(j) {
                Align::Left => {
                    s.push_str(c);
                    s.push_str(&" ".repeat(pad));
                }
                Align::Right => {
                    s.push_str(&" ".repeat(pad));
                    s.push_str(c);
                }
            }
        }
        writeln!(f, "  {}", s.trim_end())
    };
    if !t.columns.is_empty() {
        line(f, &t.columns)?;
    }
    for r in &t.rows {
        line(f, r)?;
    }
    Ok(())
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.title)?;
        for b in &self.blocks {
            writeln!(f)?;
            match b {
                Block::KeyValues(kv) => {
                    let w = kv.iter().map(|(k, _)| display_width(k)).max().unwrap_or(0);
                    for (k, v) in kv {
                        let pad = " ".repeat(w - display_width(k));
                        writeln!(f, "  {k}{pad}  {v}")?;
                    }
                }
                Block::Table(t) => render_table(f, t)?,
                Block::Text(s) => {
                    for l in s.lines() {
                        writeln!(f, "{l}")?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// Format a number with `digits` decimals; `NaN`/`None` become `NA`.
pub fn fmt_num(x: impl Into<Option<f64>>, digits: usize) -> String {
    match x.into() {
        Some(v) if v.is_finite() => format!("{v:.digits$}"),
        Some(v) if v.is_infinite() => {
            if v > 0.0 {
                "Inf".into()
            } else {
                "-Inf".into()
            }
        }
        _ => "NA".into(),
    }
}

/// Format a p-value as R does in coefficient tables (`< 2e-16` below machine precision).
pub fn fmt_pvalue(p: impl Into<Option<f64>>) -> String {
    match p.into() {
        Some(p) if p.is_finite() => {
            if p < 2.2e-16 {
                "< 2e-16".into()
            } else if p < 1e-4 {
                format!("{p:.2e}")
            } else {
                format!("{p:.4}")
            }
        }
        _ => "NA".into(),
    }
}

/// R's significance stars for a p-value.
pub fn signif_stars(p: Option<f64>) -> &'static str {
    match p {
        Some(p) if p < 0.001 => "***",
        Some(p) if p < 0.01 => "**",
        Some(p) if p < 0.05 => "*",
        Some(p) if p < 0.1 => ".",
        _ => "",
    }
}
