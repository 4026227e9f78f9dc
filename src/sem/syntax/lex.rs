//! Lexer of the model syntax: text into statements of tokens.

use super::fmt_number;
use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok {
    Ident(String),
    Num(f64),
    Loading,
    Tilde,
    TildeTilde,
    Define,
    Plus,
    Minus,
    Star,
    Slash,
    Caret,
    LParen,
    RParen,
    Comma,
    /// `==`, `<`, `>`: constraints.
    Constraint(&'static str),
    End,
    /// `|` (thresholds).
    Bar,
}

impl Tok {
    pub(super) fn describe(&self) -> String {
        match self {
            Tok::Ident(s) => format!("`{s}`"),
            Tok::Num(v) => format!("number `{}`", fmt_number(*v)),
            Tok::Loading => "`=~`".into(),
            Tok::Tilde => "`~`".into(),
            Tok::TildeTilde => "`~~`".into(),
            Tok::Define => "`:=`".into(),
            Tok::Plus => "`+`".into(),
            Tok::Minus => "`-`".into(),
            Tok::Star => "`*`".into(),
            Tok::Slash => "`/`".into(),
            Tok::Caret => "`^`".into(),
            Tok::LParen => "`(`".into(),
            Tok::RParen => "`)`".into(),
            Tok::Comma => "`,`".into(),
            Tok::Constraint(s) => format!("`{s}`"),
            Tok::End => "end of statement".into(),
            Tok::Bar => "`|`".into(),
        }
    }
    /// Tokens after which a line break does not end the statement.
    fn continues(&self) -> bool {
        matches!(
            self,
            Tok::Loading
                | Tok::Tilde
                | Tok::TildeTilde
                | Tok::Define
                | Tok::Plus
                | Tok::Minus
                | Tok::Star
                | Tok::Slash
                | Tok::Caret
                | Tok::LParen
                | Tok::Comma
                | Tok::Bar
        )
    }
}

#[derive(Debug, Clone)]
pub(super) struct Spanned {
    pub(super) tok: Tok,
    pub(super) line: usize,
    pub(super) col: usize,
}

pub(super) fn syntax(line: usize, col: usize, message: impl Into<String>) -> Error {
    Error::Syntax { line, column: col, message: message.into() }
}

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_' || c == '.'
}
fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '.'
}

/// Lex into statements (lists of tokens ending with `End`).
pub(super) fn lex(text: &str) -> Result<Vec<Vec<Spanned>>> {
    let mut statements: Vec<Vec<Spanned>> = Vec::new();
    let mut cur: Vec<Spanned> = Vec::new();
    // pending line break: (line, col) of the break; resolved when the next token arrives
    let mut pending_break = false;
    for (li, raw_line) in text.split('\n').enumerate() {
        let line = li + 1;
        let chars: Vec<char> = raw_line.chars().collect();
        let mut i = 0usize;
        let mut first_on_line = true;
        while i < chars.len() {
            let c = chars[i];
            let col = i + 1;
            if c == '#' || c == '!' {
                break;
            }
            if c.is_whitespace() {
                i += 1;
                continue;
            }
            if c == ';' {
                if !cur.is_empty() {
                    let l = cur.last().map_or(line, |s| s.line);
                    cur.push(Spanned { tok: Tok::End, line: l, col });
                    statements.push(std::mem::take(&mut cur));
                }
                pending_break = false;
                i += 1;
                first_on_line = false;
                continue;
            }
            let (tok, len) = if is_ident_start(c)
                && !(c == '.' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit()))
            {
                let mut j = i;
                while j < chars.len() && is_ident_char(chars[j]) {
                    j += 1;
                }
                let s: String = chars[i..j].iter().collect();
                (Tok::Ident(s), j - i)
            } else if c.is_ascii_digit() || c == '.' {
                let mut j = i;
                while j < chars.len() && (chars[j].is_ascii_digit() || chars[j] == '.') {
                    j += 1;
                }
                if j < chars.len() && (chars[j] == 'e' || chars[j] == 'E') {
                    let mut k = j + 1;
                    if k < chars.len() && (chars[k] == '+' || chars[k] == '-') {
                        k += 1;
                    }
                    if k < chars.len() && chars[k].is_ascii_digit() {
                        while k < chars.len() && chars[k].is_ascii_digit() {
                            k += 1;
                        }
                        j = k;
                    }
                }
                let s: String = chars[i..j].iter().collect();
                let v: f64 = s
                    .parse()
                    .map_err(|_| syntax(line, col, format!("`{s}` is not a valid number")))?;
                if !v.is_finite() {
                    return Err(syntax(line, col, format!("number `{s}` is out of range")));
                }
                (Tok::Num(v), j - i)
            } else {
                let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
                match two.as_str() {
                    "=~" => (Tok::Loading, 2),
                    "~~" => (Tok::TildeTilde, 2),
                    ":=" => (Tok::Define, 2),
                    "==" => (Tok::Constraint("=="), 2),
                    _ => match c {
                        '~' => (Tok::Tilde, 1),
                        '+' => (Tok::Plus, 1),
                        '-' => (Tok::Minus, 1),
                        '*' => (Tok::Star, 1),
                        '/' => (Tok::Slash, 1),
                        '^' => (Tok::Caret, 1),
                        '(' => (Tok::LParen, 1),
                        ')' => (Tok::RParen, 1),
                        ',' => (Tok::Comma, 1),
                        '|' => (Tok::Bar, 1),
                        '<' => (Tok::Constraint("<"), 1),
                        '>' => (Tok::Constraint(">"), 1),
                        _ => {
                            return Err(syntax(
                                line,
                                col,
                                format!(
                                    "unexpected character `{c}`; expected a name, a number or one of =~ ~ ~~ := + * ( )"
                                ),
                            ));
                        }
                    },
                }
            };
            if pending_break && first_on_line {
                // a new line: continue the statement if the previous token asks for more or this
                // line starts with `+`
                let prev_continues = cur.last().is_some_and(|s| s.tok.continues());
                if !prev_continues && tok != Tok::Plus && !cur.is_empty() {
                    let l = cur.last().map_or(line, |s| s.line);
                    let c2 = cur.last().map_or(1, |s| s.col + 1);
                    cur.push(Spanned { tok: Tok::End, line: l, col: c2 });
                    statements.push(std::mem::take(&mut cur));
                }
            }
            pending_break = false;
            first_on_line = false;
            cur.push(Spanned { tok, line, col });
            i += len;
        }
        pending_break = true;
    }
    if !cur.is_empty() {
        let (l, c) = cur.last().map_or((1, 1), |s| (s.line, s.col + 1));
        cur.push(Spanned { tok: Tok::End, line: l, col: c });
        statements.push(cur);
    }
    Ok(statements)
}
