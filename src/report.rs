//! Markdown reports: any [`Summary`] as GitHub-flavoured Markdown, and documents made of
//! headings, paragraphs, summaries, tables, code blocks and images.
//!
//! A [`Report`] is built block by block and rendered with [`Report::to_markdown`] (or `Display`);
//! [`Report::write_to`] saves it to a file (the study's `--report out.md`). Tables become GitHub
//! pipe tables with an alignment row taken from the [`Table`]'s column alignment; the key–value
//! blocks of a summary become two-column tables; free text is escaped so that characters such as
//! `|`, `*` (significance stars) and `<` (`< 2e-16`) are shown as written.

use std::fmt;
use std::path::Path;

use crate::error::{Error, Result};
use crate::summary::{Align, Block, Summary, Table, display_width};

/// Escape text so that Markdown shows it literally (inline context).
///
/// Backslash-escapes the ASCII punctuation that could start Markdown syntax inline:
/// `` \ ` * | < > [ ] ``, `_` unless it stands between two letters or digits (GitHub does not
/// treat intraword underscores as emphasis, so `raw_alpha` stays readable), and `#`, `+`, `-`,
/// `=` or `~` when they would start a heading, list, rule or fence at the beginning of the text.
/// Line breaks become spaces.
///
/// # Formula
///
/// ```text
/// c ↦ "\" c   for c in \ ` * | < > [ ]   and for _ not between two alphanumerics
/// ```
///
/// # Examples
///
/// ```
/// use surveystat::report::escape_markdown;
/// assert_eq!(escape_markdown("a|b"), "a\\|b");
/// assert_eq!(escape_markdown("0.35***"), "0.35\\*\\*\\*");
/// assert_eq!(escape_markdown("raw_alpha"), "raw_alpha");
/// assert_eq!(escape_markdown("< 2e-16"), "\\< 2e-16");
/// ```
///
/// # References
///
/// GitHub Flavored Markdown Spec, version 0.29-gfm, sections 2.4 (backslash escapes), 6.2
/// (emphasis) and 4.10 (tables).
pub fn escape_markdown(text: &str) -> String {
    let chars: Vec<char> =
        text.chars().map(|c| if c == '\n' || c == '\r' { ' ' } else { c }).collect();
    let mut out = String::with_capacity(text.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        let escape = match c {
            '\\' | '`' | '*' | '|' | '<' | '>' | '[' | ']' => true,
            '_' => {
                let before = i > 0 && chars[i - 1].is_alphanumeric();
                let after = chars.get(i + 1).is_some_and(|n| n.is_alphanumeric());
                !(before && after)
            }
            '#' | '+' | '-' | '=' | '~' => chars[..i].iter().all(|p| *p == ' '),
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Escape the text of a table cell: as [`escape_markdown`], and a numeral such as `-0.25` keeps its
/// sign unescaped (a cell never starts a list).
fn escape_cell(text: &str) -> String {
    let t = text.trim();
    if t.is_empty() {
        return String::new();
    }
    let e = escape_markdown(t);
    // '-' / '+' at the start of a cell cannot start a list inside a table row.
    if let Some(rest) = e.strip_prefix("\\-") {
        format!("-{rest}")
    } else if let Some(rest) = e.strip_prefix("\\+") {
        format!("+{rest}")
    } else {
        e
    }
}

/// Render a [`Table`] as a GitHub pipe table (title, when present, as a bold caption line above).
///
/// Every cell is escaped ([`escape_markdown`]); rows shorter than the header are padded with
/// empty cells; the alignment row follows [`Table::align`] (`:---` left, `---:` right; missing
/// entries: first column left, the others right). A table without headers gets empty header cells.
/// Columns are padded to a common width so that the Markdown source also reads as a table.
///
/// # Formula
///
/// ```text
/// | h1   |  h2 |
/// | :--- | --: |
/// | c11  | c12 |
/// ```
///
/// # Examples
///
/// ```
/// use surveystat::summary::Table;
/// use surveystat::report::table_to_markdown;
/// let mut t = Table::new(None, ["path", "beta"]);
/// t.push(["ST -> AC", "0.35***"]);
/// let md = table_to_markdown(&t);
/// assert_eq!(md, "| path      |       beta |\n| :-------- | ---------: |\n| ST -\\> AC | 0.35\\*\\*\\* |\n");
/// ```
///
/// # References
///
/// GitHub Flavored Markdown Spec 0.29-gfm, section 4.10 (tables extension).
pub fn table_to_markdown(table: &Table) -> String {
    let ncol = table.columns.len().max(table.rows.iter().map(Vec::len).max().unwrap_or(0)).max(1);
    let header: Vec<String> = (0..ncol)
        .map(|j| table.columns.get(j).map(|c| escape_cell(c)).unwrap_or_default())
        .collect();
    let rows: Vec<Vec<String>> = table
        .rows
        .iter()
        .map(|r| (0..ncol).map(|j| r.get(j).map(|c| escape_cell(c)).unwrap_or_default()).collect())
        .collect();
    let align = |j: usize| {
        table.align.get(j).copied().unwrap_or(if j == 0 { Align::Left } else { Align::Right })
    };
    let mut width = vec![3usize; ncol];
    for r in std::iter::once(&header).chain(rows.iter()) {
        for (j, c) in r.iter().enumerate() {
            width[j] = width[j].max(display_width(c));
        }
    }
    // the alignment marker needs one more character than three dashes
    for w in &mut width {
        *w = (*w).max(4);
    }
    let line = |cells: &[String]| -> String {
        let mut s = String::from("|");
        for (j, c) in cells.iter().enumerate() {
            let pad = width[j] - display_width(c);
            s.push(' ');
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
            s.push_str(" |");
        }
        s.push('\n');
        s
    };
    let mut out = String::new();
    if let Some(title) = &table.title {
        out.push_str(&format!("**{}**\n\n", escape_markdown(title.trim())));
    }
    out.push_str(&line(&header));
    let mut sep = String::from("|");
    for (j, w) in width.iter().enumerate() {
        match align(j) {
            Align::Left => sep.push_str(&format!(" :{} |", "-".repeat(w - 1))),
            Align::Right => sep.push_str(&format!(" {}: |", "-".repeat(w - 1))),
        }
    }
    sep.push('\n');
    out.push_str(&sep);
    for r in &rows {
        out.push_str(&line(r));
    }
    out
}

fn heading_line(level: usize, text: &str) -> String {
    let level = level.clamp(1, 6);
    format!("{} {}\n", "#".repeat(level), escape_markdown(text.trim()))
}

fn text_block(text: &str) -> String {
    let lines: Vec<String> = text
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .map(escape_markdown)
        .collect();
    // a trailing backslash is a hard line break in GFM: keep the summary's line structure
    let mut s = lines.join("\\\n");
    s.push('\n');
    s
}

/// Render a [`Summary`] as Markdown: its title as a heading of `heading_level` (1–6, clamped),
/// key–value blocks as two-column tables, tables as pipe tables ([`table_to_markdown`]), text as
/// escaped paragraphs whose lines are kept (hard line breaks).
///
/// # Formula
///
/// ```text
/// ## <title>
///
/// | Key | Value |      (one table per key–value block)
/// | :-- | ----: |
///
/// <tables and paragraphs in order, separated by blank lines>
/// ```
///
/// # Examples
///
/// ```
/// use surveystat::summary::Summary;
/// use surveystat::report::summary_to_markdown;
/// let mut s = Summary::new("Reliability of ST");
/// s.key_values([("raw_alpha", "0.812"), ("n", "612")]);
/// let md = summary_to_markdown(&s, 2);
/// assert!(md.starts_with("## Reliability of ST\n"));
/// assert!(md.contains("| raw_alpha |"));
/// ```
///
/// # References
///
/// GitHub Flavored Markdown Spec 0.29-gfm.
pub fn summary_to_markdown(summary: &Summary, heading_level: usize) -> String {
    let mut parts = vec![heading_line(heading_level, &summary.title)];
    for b in &summary.blocks {
        parts.push(match b {
            Block::KeyValues(kv) => {
                let mut t = Table::new(None, ["", ""]);
                t.align = vec![Align::Left, Align::Right];
                for (k, v) in kv {
                    t.push([k.clone(), v.clone()]);
                }
                table_to_markdown(&t)
            }
            Block::Table(t) => table_to_markdown(t),
            Block::Text(s) => text_block(s),
        });
    }
    parts.join("\n")
}

/// One block of a [`Report`].
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum ReportBlock {
    /// A heading of level 1–6.
    Heading {
        /// Level (1 = `#`).
        level: usize,
        /// Heading text (escaped when rendered).
        text: String,
    },
    /// A paragraph of Markdown written by the caller (rendered as is).
    Markdown(String),
    /// A paragraph of plain text (escaped when rendered).
    Text(String),
    /// A bulleted list of plain-text items (escaped).
    Bullets(Vec<String>),
    /// A summary; its title becomes a heading one level below the last heading.
    Summary(Summary),
    /// A table.
    Table(Table),
    /// A fenced code block with an optional language tag.
    Code {
        /// Language tag (`text`, `sh`, `dot`, …); empty for none.
        lang: String,
        /// The code, verbatim.
        text: String,
    },
    /// An image link.
    Image {
        /// Alternative text.
        alt: String,
        /// Path or URL of the image.
        path: String,
    },
}

/// A Markdown document built from headings, paragraphs, summaries and tables.
///
/// Summaries are placed one heading level below the most recent heading (level 2 if none yet),
/// so a document is a sequence of sections, each with its summaries.
///
/// # Formula
///
/// ```text
/// blocks rendered in order, separated by one blank line; the text ends with one newline
/// ```
///
/// # Examples
///
/// ```
/// use surveystat::report::Report;
/// use surveystat::summary::{Summary, Table};
///
/// let mut fit = Summary::new("Cronbach's alpha");
/// fit.key_values([("raw_alpha", "0.81")]);
/// let mut r = Report::new();
/// r.heading(1, "Study report")
///     .section("Reliability")
///     .text("Alpha per construct | with CI.")
///     .summary(&fit);
/// let md = r.to_markdown();
/// assert!(md.starts_with("# Study report\n\n## Reliability\n"));
/// assert!(md.contains("### Cronbach's alpha"));
/// assert!(md.contains("construct \\| with"));
/// ```
///
/// # Errors
///
/// [`Report::write_to`] returns [`Error::Io`] when the file cannot be written.
///
/// # References
///
/// GitHub Flavored Markdown Spec 0.29-gfm.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Report {
    blocks: Vec<ReportBlock>,
}

impl Report {
    /// An empty report.
    pub fn new() -> Self {
        Self::default()
    }

    /// Append a heading (`level` 1–6; values outside are clamped when rendered).
    pub fn heading(&mut self, level: usize, text: impl Into<String>) -> &mut Self {
        self.blocks.push(ReportBlock::Heading { level, text: text.into() });
        self
    }

    /// Start a section: a level-2 heading.
    pub fn section(&mut self, text: impl Into<String>) -> &mut Self {
        self.heading(2, text)
    }

    /// Append a paragraph of caller-written Markdown (not escaped).
    pub fn markdown(&mut self, markdown: impl Into<String>) -> &mut Self {
        self.blocks.push(ReportBlock::Markdown(markdown.into()));
        self
    }

    /// Append a paragraph of plain text (escaped, so `|`, `*`, `<` show as written).
    pub fn text(&mut self, text: impl Into<String>) -> &mut Self {
        self.blocks.push(ReportBlock::Text(text.into()));
        self
    }

    /// Append a bulleted list of plain-text items.
    pub fn bullets<S: Into<String>>(&mut self, items: impl IntoIterator<Item = S>) -> &mut Self {
        self.blocks.push(ReportBlock::Bullets(items.into_iter().map(Into::into).collect()));
        self
    }

    /// Append a summary (its title becomes a heading one level below the last heading).
    pub fn summary(&mut self, summary: &Summary) -> &mut Self {
        self.blocks.push(ReportBlock::Summary(summary.clone()));
        self
    }

    /// Append a table.
    pub fn table(&mut self, table: &Table) -> &mut Self {
        self.blocks.push(ReportBlock::Table(table.clone()));
        self
    }

    /// Append a fenced code block (`lang` may be empty).
    pub fn code(&mut self, lang: impl Into<String>, text: impl Into<String>) -> &mut Self {
        self.blocks.push(ReportBlock::Code { lang: lang.into(), text: text.into() });
        self
    }

    /// Append an image link (e.g. a path diagram written next to the report).
    pub fn image(&mut self, alt: impl Into<String>, path: impl Into<String>) -> &mut Self {
        self.blocks.push(ReportBlock::Image { alt: alt.into(), path: path.into() });
        self
    }

    /// Append every block of another report.
    pub fn extend(&mut self, other: &Report) -> &mut Self {
        self.blocks.extend(other.blocks.iter().cloned());
        self
    }

    /// The blocks in order.
    pub fn blocks(&self) -> &[ReportBlock] {
        &self.blocks
    }

    /// Render the whole report as Markdown.
    pub fn to_markdown(&self) -> String {
        let mut parts: Vec<String> = Vec::with_capacity(self.blocks.len());
        let mut level = 1usize;
        for b in &self.blocks {
            parts.push(match b {
                ReportBlock::Heading { level: l, text } => {
                    level = (*l).clamp(1, 6);
                    heading_line(level, text)
                }
                ReportBlock::Markdown(m) => format!("{}\n", m.trim_end()),
                ReportBlock::Text(t) => text_block(t),
                ReportBlock::Bullets(items) => items
                    .iter()
                    .map(|i| format!("- {}\n", escape_markdown(i.trim())))
                    .collect::<String>(),
                ReportBlock::Summary(s) => summary_to_markdown(s, level + 1),
                ReportBlock::Table(t) => table_to_markdown(t),
                ReportBlock::Code { lang, text } => {
                    // a fence longer than any run of backticks inside the code
                    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
                    let fence = "`".repeat(longest.max(2) + 1);
                    format!("{fence}{}\n{}\n{fence}\n", lang.trim(), text.trim_end_matches('\n'))
                }
                ReportBlock::Image { alt, path } => {
                    format!("![{}](<{}>)\n", escape_markdown(alt), path.replace('>', "%3E"))
                }
            });
        }
        parts.join("\n")
    }

    /// Write the Markdown to a file.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] naming the file if it cannot be written.
    pub fn write_to(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        std::fs::write(path, self.to_markdown())
            .map_err(|e| Error::Io { path: path.display().to_string(), message: e.to_string() })
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_markdown())
    }
}

impl From<&Summary> for Report {
    fn from(s: &Summary) -> Self {
        let mut r = Report::new();
        r.summary(s);
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_line_start_markers_only_at_start() {
        assert_eq!(escape_markdown("# x"), "\\# x");
        assert_eq!(escape_markdown("a # x"), "a # x");
        assert_eq!(escape_markdown("- item"), "\\- item");
        assert_eq!(escape_markdown("a - b"), "a - b");
        assert_eq!(escape_markdown("_x_"), "\\_x\\_");
        assert_eq!(escape_markdown("a\nb"), "a b");
    }

    #[test]
    fn negative_numbers_in_cells_stay_plain() {
        assert_eq!(escape_cell("-0.25"), "-0.25");
        assert_eq!(escape_cell("  "), "");
    }

    #[test]
    fn code_fence_longer_than_content() {
        let mut r = Report::new();
        r.code("text", "a ``` b");
        let md = r.to_markdown();
        assert!(md.starts_with("````text\n"), "{md}");
        assert!(md.ends_with("\n````\n"));
    }

    #[test]
    fn summary_level_follows_last_heading() {
        let s = Summary::new("S");
        let mut r = Report::new();
        r.summary(&s).heading(3, "H").summary(&s).heading(6, "deep").summary(&s);
        let md = r.to_markdown();
        assert!(md.starts_with("## S\n"));
        assert!(md.contains("#### S\n"));
        assert!(md.contains("###### S\n")); // clamped at 6
    }
}
