//! Plain-text and Markdown tables stay aligned when cells hold Chinese (or other East Asian wide)
//! text: columns are padded by display width (UAX #11: wide and fullwidth characters take two
//! terminal columns, combining marks none), not by the number of characters.

use proptest::prelude::*;
use surveystat::report::table_to_markdown;
use surveystat::summary::{Align, Summary, Table};

/// The alphabet of the generated cells with the display width of each character, from the
/// Unicode East Asian Width property (W and F: 2; Na: 1; Mn: 0).
const ALPHABET: [(char, usize); 12] = [
    ('a', 1),
    ('Z', 1),
    ('7', 1),
    ('.', 1),
    ('变', 2),
    ('量', 2),
    ('满', 2),
    ('意', 2),
    ('度', 2),
    ('Ａ', 2),      // FULLWIDTH LATIN CAPITAL LETTER A
    ('한', 2),      // HANGUL SYLLABLE HAN
    ('\u{301}', 0), // COMBINING ACUTE ACCENT (after a base character only)
];

/// Display width of text made of [`ALPHABET`] characters, ASCII spaces and `|`.
fn width(s: &str) -> usize {
    s.chars()
        .map(|c| match c {
            ' ' | '|' | ':' | '-' => 1,
            _ => ALPHABET.iter().find(|(a, _)| *a == c).map(|x| x.1).unwrap_or_else(|| {
                panic!("character {c:?} outside the test alphabet");
            }),
        })
        .sum()
}

/// A non-empty cell without spaces; a combining mark only after a base character.
fn cell() -> impl Strategy<Value = String> {
    prop::collection::vec(0..ALPHABET.len(), 1..7).prop_map(|ix| {
        let mut s = String::new();
        for (k, i) in ix.into_iter().enumerate() {
            let c = ALPHABET[i].0;
            if c == '\u{301}' && k == 0 {
                s.push('a');
            }
            s.push(c);
        }
        s
    })
}

fn table() -> impl Strategy<Value = Table> {
    (1usize..5).prop_flat_map(|ncol| {
        (
            prop::collection::vec(cell(), ncol),
            prop::collection::vec(prop::collection::vec(cell(), ncol), 1..6),
        )
            .prop_map(|(head, rows)| {
                let mut t = Table::new(None, head);
                for r in rows {
                    t.push(r);
                }
                t
            })
    })
}

/// Display column at which each cell of a plain-text table line ends, finding the cells in order.
fn cell_ends(line: &str, cells: &[String]) -> Vec<usize> {
    let mut rest = line;
    let mut col = 0;
    let mut ends = Vec::new();
    for c in cells {
        let at = rest.find(c.as_str()).unwrap_or_else(|| panic!("cell {c:?} not in {line:?}"));
        col += width(&rest[..at]) + width(c);
        rest = &rest[at + c.len()..];
        ends.push(col);
    }
    ends
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Right-aligned columns end, and the left-aligned first column starts, at the same display
    /// column on every line.
    #[test]
    fn plain_text_columns_align_by_display_width(t in table()) {
        let mut s = Summary::new("t");
        s.table(t.clone());
        let text = s.to_string();
        let lines: Vec<&str> = text.lines().skip(2).collect();
        prop_assert_eq!(lines.len(), t.rows.len() + 1);
        let all: Vec<&Vec<String>> = std::iter::once(&t.columns).chain(t.rows.iter()).collect();
        let first = cell_ends(lines[0], all[0]);
        for (line, cells) in lines.iter().zip(&all) {
            prop_assert!(line.starts_with("  ") && !line[2..].starts_with(' ') , "{}", line);
            let ends = cell_ends(line, cells);
            // column 0 is left aligned: only its start is fixed; the others end together
            prop_assert_eq!(&ends[1..], &first[1..], "{}", text);
        }
    }

    /// Every `|` of a Markdown table sits at the same display column on every line.
    #[test]
    fn markdown_pipes_align_by_display_width(t in table()) {
        let md = table_to_markdown(&t);
        let pipes = |line: &str| -> Vec<usize> {
            line.char_indices().filter(|(_, c)| *c == '|').map(|(i, _)| width(&line[..i])).collect()
        };
        let lines: Vec<&str> = md.lines().collect();
        let first = pipes(lines[0]);
        prop_assert_eq!(first.len(), t.columns.len() + 1);
        for line in &lines {
            prop_assert_eq!(pipes(line), first.clone(), "{}", md);
        }
    }
}

#[test]
fn chinese_column_names_line_up() {
    let mut t = Table::new(None, ["变量", "均值", "sd"]);
    t.align = vec![Align::Left, Align::Right, Align::Right];
    t.push(["满意度", "3.50", "0.81"]);
    t.push(["x1", "12.25", "1.10"]);
    let mut s = Summary::new("描述统计");
    s.table(t.clone());
    s.key_values([("样本量", "612"), ("n", "12")]);
    let text = s.to_string();
    // widths: column 0 = 6 (满意度), column 1 = 5 (12.25), column 2 = 4
    let expected = "描述统计\n\n  变量     均值    sd\n  满意度   3.50  0.81\n  x1      12.25  1.10\n\n  样本量  612\n  n       12\n";
    assert_eq!(text, expected);
    let md = table_to_markdown(&t);
    let expected_md = "| 变量   |  均值 |   sd |\n| :----- | ----: | ---: |\n| 满意度 |  3.50 | 0.81 |\n| x1     | 12.25 | 1.10 |\n";
    assert_eq!(md, expected_md);
}
