//! R-like model formulas for [`super::Ols`]: `y ~ x1 + x2`, `y ~ .`, `y ~ 0 + x1`, `y ~ x1 - 1`.

use crate::data::Dataset;
use crate::error::{Error, Result};

/// One right-hand-side item in formula order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Item {
    /// A column by name.
    Name(String),
    /// `.`: every other numeric column.
    Dot,
}

/// A parsed formula.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Formula {
    pub response: String,
    pub items: Vec<Item>,
    pub excluded: Vec<String>,
    pub intercept: bool,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Name(String),
    Num(String),
    Dot,
    Tilde,
    Plus,
    Minus,
}

fn syntax(column: usize, message: impl Into<String>) -> Error {
    Error::Syntax { line: 1, column, message: message.into() }
}

fn is_name_start(c: char) -> bool {
    c.is_alphabetic() || c == '.' || c == '_'
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '.' || c == '_'
}

fn lex(s: &str) -> Result<Vec<(Tok, usize)>> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let col = i + 1;
        if c.is_whitespace() {
            i += 1;
        } else if c == '~' {
            out.push((Tok::Tilde, col));
            i += 1;
        } else if c == '+' {
            out.push((Tok::Plus, col));
            i += 1;
        } else if c == '-' {
            out.push((Tok::Minus, col));
            i += 1;
        } else if c == '`' {
            let start = i + 1;
            let mut j = start;
            while j < chars.len() && chars[j] != '`' {
                j += 1;
            }
            if j >= chars.len() {
                return Err(syntax(col, "unterminated back-quoted name"));
            }
            let name: String = chars[start..j].iter().collect();
            if name.is_empty() {
                return Err(syntax(col, "empty back-quoted name"));
            }
            out.push((Tok::Name(name), col));
            i = j + 1;
        } else if c == '.' && !chars.get(i + 1).is_some_and(|&d| is_name_char(d)) {
            out.push((Tok::Dot, col));
            i += 1;
        } else if c.is_ascii_digit() {
            let mut j = i;
            while j < chars.len() && (chars[j].is_ascii_digit() || chars[j] == '.') {
                j += 1;
            }
            out.push((Tok::Num(chars[i..j].iter().collect()), col));
            i = j;
        } else if is_name_start(c) {
            let mut j = i;
            while j < chars.len() && is_name_char(chars[j]) {
                j += 1;
            }
            out.push((Tok::Name(chars[i..j].iter().collect()), col));
            i = j;
        } else {
            return Err(syntax(col, format!("unexpected character `{c}`")));
        }
    }
    Ok(out)
}

impl Formula {
    /// Parse `response ~ terms`.
    pub fn parse(s: &str) -> Result<Self> {
        let toks = lex(s)?;
        let end_col = s.chars().count() + 1;
        let mut it = toks.into_iter().peekable();
        let response = match it.next() {
            Some((Tok::Name(n), _)) => n,
            Some((_, c)) => return Err(syntax(c, "expected the response variable name")),
            None => return Err(syntax(1, "empty formula")),
        };
        match it.next() {
            Some((Tok::Tilde, _)) => {}
            Some((_, c)) => return Err(syntax(c, "expected `~` after the response")),
            None => return Err(syntax(end_col, "expected `~` after the response")),
        }
        let mut f = Formula { response, items: Vec::new(), excluded: Vec::new(), intercept: true };
        let mut first = true;
        loop {
            let mut sign = 1;
            match it.peek() {
                None => {
                    if first {
                        return Err(syntax(end_col, "expected a term after `~`"));
                    }
                    break;
                }
                Some((Tok::Plus, _)) => {
                    it.next();
                }
                Some((Tok::Minus, _)) => {
                    it.next();
                    sign = -1;
                }
                Some((_, c)) if !first => {
                    return Err(syntax(*c, "expected `+` or `-` between terms"));
                }
                Some(_) => {}
            }
            first = false;
            let (tok, col) = match it.next() {
                Some(t) => t,
                None => return Err(syntax(end_col, "expected a term after the operator")),
            };
            match (tok, sign) {
                (Tok::Num(v), s) => match (v.as_str(), s) {
                    ("0", 1) | ("1", -1) => f.intercept = false,
                    ("1", 1) | ("0", -1) => f.intercept = true,
                    _ => return Err(syntax(col, format!("unexpected number `{v}` (only 0 or 1)"))),
                },
                (Tok::Dot, 1) => {
                    if f.items.contains(&Item::Dot) {
                        return Err(syntax(col, "`.` given twice"));
                    }
                    f.items.push(Item::Dot);
                }
                (Tok::Dot, _) => return Err(syntax(col, "`- .` is not supported")),
                (Tok::Name(n), 1) => {
                    if f.items.contains(&Item::Name(n.clone())) {
                        return Err(Error::DuplicateVariable { name: n });
                    }
                    if n == f.response {
                        return Err(Error::invalid(
                            "formula",
                            format!("the response `{n}` is also a predictor"),
                        ));
                    }
                    f.items.push(Item::Name(n));
                }
                (Tok::Name(n), _) => {
                    f.items.retain(|it| it != &Item::Name(n.clone()));
                    f.excluded.push(n);
                }
                (Tok::Tilde, _) => return Err(syntax(col, "a formula has exactly one `~`")),
                (Tok::Plus | Tok::Minus, _) => return Err(syntax(col, "expected a term")),
            }
        }
        Ok(f)
    }

    /// Resolve against a dataset: the response and the predictor names in model order.
    pub fn resolve(&self, data: &Dataset) -> Result<(String, Vec<String>)> {
        data.column(&self.response)?;
        for e in &self.excluded {
            data.index_of(e)?;
        }
        let explicit: Vec<&String> = self
            .items
            .iter()
            .filter_map(|i| if let Item::Name(n) = i { Some(n) } else { None })
            .collect();
        let mut out: Vec<String> = Vec::new();
        for item in &self.items {
            match item {
                Item::Name(n) => {
                    data.column(n)?;
                    out.push(n.clone());
                }
                Item::Dot => {
                    for n in data.numeric_names() {
                        if n != self.response
                            && !self.excluded.contains(&n)
                            && !explicit.contains(&&n)
                        {
                            out.push(n);
                        }
                    }
                }
            }
        }
        Ok((self.response.clone(), out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_forms() {
        let f = Formula::parse("y ~ x1 + x2").unwrap();
        assert!(f.intercept);
        assert_eq!(f.items, vec![Item::Name("x1".into()), Item::Name("x2".into())]);
        assert!(!Formula::parse("y ~ 0 + x1").unwrap().intercept);
        assert!(!Formula::parse("y ~ x1 - 1").unwrap().intercept);
        let f = Formula::parse("Employed ~ . - Year").unwrap();
        assert_eq!(f.items, vec![Item::Dot]);
        assert_eq!(f.excluded, vec!["Year".to_string()]);
        let f = Formula::parse("y ~ `odd name` + Infant.Mortality").unwrap();
        assert_eq!(f.items[0], Item::Name("odd name".into()));
        assert_eq!(f.items[1], Item::Name("Infant.Mortality".into()));
    }

    #[test]
    fn syntax_errors_have_columns() {
        let e = Formula::parse("y ~ x1 +").unwrap_err();
        assert!(matches!(e, Error::Syntax { column: 9, .. }), "{e:?}");
        let e = Formula::parse("y ~ x1 * x2").unwrap_err();
        assert!(matches!(e, Error::Syntax { column: 8, .. }), "{e:?}");
        let e = Formula::parse("y x1").unwrap_err();
        assert!(matches!(e, Error::Syntax { column: 3, .. }), "{e:?}");
        assert!(matches!(Formula::parse("y ~ x1 + x1"), Err(Error::DuplicateVariable { .. })));
    }
}
