//! R-like model formulas: parsing and the expansion of the right-hand side into terms.
//!
//! Grammar (R's precedence, loosest first): `+ -`, `*`, `:`, `^` (on a parenthesised sum), with
//! the atoms `name`, `` `odd name` ``, `.`, `0`, `1`, `(…)` and the calls `factor(x)`, `C(x)`,
//! `I(expr)`, `log(x)`, `exp(x)`, `sqrt(x)`, `abs(x)`, `log2(x)`, `log10(x)`. Inside `I(…)` and
//! the numeric calls, `+ - * / ^` are arithmetic.
//!
//! Terms are ordered as R's `terms.formula`: by degree (main effects, then two-way
//! interactions, …), in order of appearance within a degree; the variables of an interaction
//! are ordered by their first appearance in the formula.

use crate::error::{Error, Result};

/// An expression of the formula language.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Expr {
    /// A column.
    Var(String),
    /// A number.
    Num(f64),
    /// `.`
    Dot,
    /// A call `f(args)`.
    Call(String, Vec<Expr>),
    /// A binary operator (`+ - * / ^ :`).
    Bin(char, Box<Expr>, Box<Expr>),
    /// Unary minus.
    Neg(Box<Expr>),
    /// Parentheses (kept for the printed name).
    Paren(Box<Expr>),
}

/// Numeric functions allowed in formulas and inside `I(…)`.
pub(crate) const FUNCTIONS: [&str; 6] = ["log", "exp", "sqrt", "abs", "log2", "log10"];

fn fmt_num(v: f64) -> String {
    let a = v.abs();
    if a != 0.0 && !(1e-4..1e15).contains(&a) {
        format!("{v:e}").replace("e", "e")
    } else {
        format!("{v}")
    }
}

impl Expr {
    /// The expression printed as R's `deparse` does (the coefficient names use it).
    pub fn label(&self) -> String {
        match self {
            Expr::Var(n) => n.clone(),
            Expr::Num(v) => fmt_num(*v),
            Expr::Dot => ".".into(),
            Expr::Call(f, args) => {
                let a: Vec<String> = args.iter().map(Expr::label).collect();
                format!("{f}({})", a.join(", "))
            }
            Expr::Bin(op, a, b) => match op {
                '^' | ':' => format!("{}{op}{}", a.label(), b.label()),
                _ => format!("{} {op} {}", a.label(), b.label()),
            },
            Expr::Neg(a) => format!("-{}", a.label()),
            Expr::Paren(a) => format!("({})", a.label()),
        }
    }

    /// Column names the expression reads.
    pub fn columns(&self, out: &mut Vec<String>) {
        match self {
            Expr::Var(n) => {
                if !out.contains(n) {
                    out.push(n.clone());
                }
            }
            Expr::Num(_) | Expr::Dot => {}
            Expr::Call(_, args) => args.iter().for_each(|a| a.columns(out)),
            Expr::Bin(_, a, b) => {
                a.columns(out);
                b.columns(out);
            }
            Expr::Neg(a) | Expr::Paren(a) => a.columns(out),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Name(String),
    Num(f64, String),
    Dot,
    Op(char),
    Open,
    Close,
    Comma,
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
        } else if "~+-*/^:".contains(c) {
            out.push((Tok::Op(c), col));
            i += 1;
        } else if c == '(' {
            out.push((Tok::Open, col));
            i += 1;
        } else if c == ')' {
            out.push((Tok::Close, col));
            i += 1;
        } else if c == ',' {
            out.push((Tok::Comma, col));
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
        } else if c.is_ascii_digit()
            || (c == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit))
        {
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
                    j = k;
                    while j < chars.len() && chars[j].is_ascii_digit() {
                        j += 1;
                    }
                }
            }
            let text: String = chars[i..j].iter().collect();
            let v: f64 =
                text.parse().map_err(|_| syntax(col, format!("malformed number `{text}`")))?;
            out.push((Tok::Num(v, text), col));
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

struct Parser {
    toks: Vec<(Tok, usize)>,
    pos: usize,
    end_col: usize,
    /// Depth inside calls and exponents, where numbers are arithmetic.
    arith: usize,
    /// Depth of the expression tree built so far on the current path (parentheses, calls, signs,
    /// exponents and each chained operator count one level), limited to [`MAX_FORMULA_DEPTH`].
    depth: usize,
}

/// Deepest expression tree a formula may have: the parser, the expansion into terms and the
/// printer recurse over the tree, so deeper input (thousands of nested parentheses or a sum of
/// thousands of terms) is refused with a syntax error instead of overflowing the stack.
pub(crate) const MAX_FORMULA_DEPTH: usize = 500;

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|t| &t.0)
    }

    fn col(&self) -> usize {
        self.toks.get(self.pos).map_or(self.end_col, |t| t.1)
    }

    /// Go one level deeper; the error names the column where the limit was passed.
    fn deeper(&mut self) -> Result<()> {
        self.depth += 1;
        if self.depth > MAX_FORMULA_DEPTH {
            return Err(syntax(
                self.col(),
                format!(
                    "formula nested too deeply (more than {MAX_FORMULA_DEPTH} levels of parentheses, signs or chained operators)"
                ),
            ));
        }
        Ok(())
    }

    fn eat_op(&mut self, ops: &str) -> Option<char> {
        if let Some(Tok::Op(c)) = self.peek()
            && ops.contains(*c)
        {
            let c = *c;
            self.pos += 1;
            return Some(c);
        }
        None
    }

    /// sum := ['-'|'+'] prod (('+'|'-') prod)*
    fn sum(&mut self) -> Result<Expr> {
        let saved = self.depth;
        let e = self.sum_inner();
        self.depth = saved;
        e
    }

    fn sum_inner(&mut self) -> Result<Expr> {
        self.deeper()?;
        let mut e = if self.eat_op("-").is_some() {
            Expr::Neg(Box::new(self.prod()?))
        } else {
            self.eat_op("+");
            self.prod()?
        };
        while let Some(op) = self.eat_op("+-") {
            self.deeper()?;
            let r = self.prod()?;
            e = Expr::Bin(op, Box::new(e), Box::new(r));
        }
        Ok(e)
    }

    /// prod := colon (('*'|'/') colon)*
    fn prod(&mut self) -> Result<Expr> {
        let saved = self.depth;
        let mut e = self.colon()?;
        while let Some(op) = self.eat_op("*/") {
            self.deeper()?;
            let r = self.colon()?;
            e = Expr::Bin(op, Box::new(e), Box::new(r));
        }
        self.depth = saved;
        Ok(e)
    }

    /// colon := unary (':' unary)*
    fn colon(&mut self) -> Result<Expr> {
        let saved = self.depth;
        let mut e = self.unary()?;
        while self.eat_op(":").is_some() {
            self.deeper()?;
            let r = self.unary()?;
            e = Expr::Bin(':', Box::new(e), Box::new(r));
        }
        self.depth = saved;
        Ok(e)
    }

    /// unary := '-' unary | power
    fn unary(&mut self) -> Result<Expr> {
        if self.eat_op("-").is_some() {
            self.deeper()?;
            let a = self.unary();
            self.depth -= 1;
            return Ok(Expr::Neg(Box::new(a?)));
        }
        self.power()
    }

    /// power := atom ('^' unary)?
    fn power(&mut self) -> Result<Expr> {
        let a = self.atom()?;
        if self.eat_op("^").is_some() {
            self.deeper()?;
            self.arith += 1;
            let b = self.unary();
            self.arith -= 1;
            self.depth -= 1;
            let b = b?;
            return Ok(Expr::Bin('^', Box::new(a), Box::new(b)));
        }
        Ok(a)
    }

    fn atom(&mut self) -> Result<Expr> {
        let col = self.col();
        let Some((tok, _)) = self.toks.get(self.pos).cloned() else {
            return Err(syntax(col, "expected a term"));
        };
        self.pos += 1;
        match tok {
            Tok::Num(v, text) => {
                if self.arith == 0 && v != 0.0 && v != 1.0 {
                    return Err(syntax(col, format!("unexpected number `{text}` (only 0 or 1)")));
                }
                Ok(Expr::Num(v))
            }
            Tok::Dot => Ok(Expr::Dot),
            Tok::Open => {
                let e = self.sum()?;
                if self.peek() != Some(&Tok::Close) {
                    return Err(syntax(self.col(), "expected `)`"));
                }
                self.pos += 1;
                Ok(Expr::Paren(Box::new(e)))
            }
            Tok::Name(n) => {
                if self.peek() != Some(&Tok::Open) {
                    return Ok(Expr::Var(n));
                }
                self.pos += 1;
                let mut args = Vec::new();
                if self.peek() != Some(&Tok::Close) {
                    loop {
                        self.arith += 1;
                        let a = self.sum();
                        self.arith -= 1;
                        args.push(a?);
                        if self.peek() == Some(&Tok::Comma) {
                            self.pos += 1;
                            continue;
                        }
                        break;
                    }
                }
                if self.peek() != Some(&Tok::Close) {
                    return Err(syntax(self.col(), "expected `)` closing the call"));
                }
                self.pos += 1;
                let known =
                    FUNCTIONS.contains(&n.as_str()) || ["factor", "C", "I"].contains(&n.as_str());
                if !known {
                    return Err(syntax(col, format!("unknown function `{n}`")));
                }
                if args.len() != 1 {
                    return Err(syntax(col, format!("`{n}` takes one argument")));
                }
                Ok(Expr::Call(n, args))
            }
            Tok::Op(c) => Err(syntax(col, format!("unexpected `{c}`"))),
            Tok::Close => Err(syntax(col, "unexpected `)`")),
            Tok::Comma => Err(syntax(col, "unexpected `,`")),
        }
    }
}

/// A term: the indices of its variables (into [`Formula::variables`]), sorted.
pub(crate) type TermVars = Vec<usize>;

/// A parsed formula with its right-hand side expanded into terms.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Formula {
    /// The response expression.
    pub response: Expr,
    /// The distinct variables (atoms) in order of first appearance.
    pub variables: Vec<Expr>,
    /// Terms in model order (by degree, then appearance).
    pub terms: Vec<TermVars>,
    /// Whether `.` appeared (to be expanded against a dataset).
    pub dot: Option<DotSpec>,
    /// Intercept.
    pub intercept: bool,
}

/// Where a `.` stood: its position in the term list and the names removed with `- name`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DotSpec {
    /// Names given with a minus sign.
    pub excluded: Vec<String>,
}

/// A term list during expansion (terms as sorted variable-index lists; `None` = `.`).
#[derive(Debug, Clone, Default)]
struct Terms {
    list: Vec<Option<TermVars>>,
    intercept: Option<bool>,
}

fn push_unique(list: &mut Vec<Option<TermVars>>, t: Option<TermVars>) {
    if !list.contains(&t) {
        list.push(t);
    }
}

fn union(a: &TermVars, b: &TermVars) -> TermVars {
    let mut v = a.clone();
    for x in b {
        if !v.contains(x) {
            v.push(*x);
        }
    }
    v.sort_unstable();
    v
}

struct Expander {
    variables: Vec<Expr>,
}

impl Expander {
    fn var(&mut self, e: &Expr) -> usize {
        if let Some(i) = self.variables.iter().position(|v| v == e) {
            return i;
        }
        self.variables.push(e.clone());
        self.variables.len() - 1
    }

    fn cross(a: &Terms, b: &Terms) -> Result<Vec<Option<TermVars>>> {
        let mut out = Vec::new();
        for ta in &a.list {
            for tb in &b.list {
                match (ta, tb) {
                    (Some(x), Some(y)) => push_unique(&mut out, Some(union(x, y))),
                    _ => return Err(syntax(1, "`.` cannot be part of an interaction")),
                }
            }
        }
        Ok(out)
    }

    fn expand(&mut self, e: &Expr) -> Result<Terms> {
        Ok(match e {
            Expr::Var(_) | Expr::Call(..) => {
                Terms { list: vec![Some(vec![self.var(e)])], intercept: None }
            }
            Expr::Dot => Terms { list: vec![None], intercept: None },
            Expr::Num(v) => {
                if *v == 0.0 {
                    Terms { list: vec![], intercept: Some(false) }
                } else if *v == 1.0 {
                    Terms { list: vec![], intercept: Some(true) }
                } else {
                    return Err(syntax(
                        1,
                        format!("unexpected number `{}` (only 0 or 1)", fmt_num(*v)),
                    ));
                }
            }
            Expr::Paren(a) => self.expand(a)?,
            Expr::Neg(a) => {
                // A leading minus: remove from the (empty) model.
                let t = self.expand(a)?;
                Terms { list: vec![], intercept: t.intercept.map(|b| !b) }
            }
            Expr::Bin(op, a, b) => {
                let ta = self.expand(a)?;
                match op {
                    '+' => {
                        let tb = self.expand(b)?;
                        let mut list = ta.list;
                        for t in tb.list {
                            push_unique(&mut list, t);
                        }
                        Terms { list, intercept: tb.intercept.or(ta.intercept) }
                    }
                    '-' => {
                        let tb = self.expand(b)?;
                        let list = ta.list.into_iter().filter(|t| !tb.list.contains(t)).collect();
                        let intercept = match tb.intercept {
                            Some(v) => Some(!v),
                            None => ta.intercept,
                        };
                        Terms { list, intercept }
                    }
                    ':' => {
                        let tb = self.expand(b)?;
                        Terms { list: Self::cross(&ta, &tb)?, intercept: None }
                    }
                    '*' => {
                        let tb = self.expand(b)?;
                        let mut list = ta.list.clone();
                        for t in &tb.list {
                            push_unique(&mut list, t.clone());
                        }
                        for t in Self::cross(&ta, &tb)? {
                            push_unique(&mut list, t);
                        }
                        Terms { list, intercept: None }
                    }
                    '^' => {
                        let k = match **b {
                            Expr::Num(v) if v >= 1.0 && v.fract() == 0.0 && v <= 16.0 => v as usize,
                            _ => return Err(syntax(1, "`^` needs a whole power between 1 and 16")),
                        };
                        let mut acc = ta.clone();
                        for _ in 1..k {
                            let mut list = acc.list.clone();
                            for t in &ta.list {
                                push_unique(&mut list, t.clone());
                            }
                            for t in Self::cross(&acc, &ta)? {
                                push_unique(&mut list, t);
                            }
                            acc = Terms { list, intercept: None };
                        }
                        acc
                    }
                    _ => {
                        return Err(syntax(
                            1,
                            format!("`{op}` is not a formula operator (use I(…))"),
                        ));
                    }
                }
            }
        })
    }
}

/// Find the names removed with `- name` at the top level of the right-hand side.
fn minus_names(e: &Expr, out: &mut Vec<String>) {
    if let Expr::Bin(op, a, b) = e {
        minus_names(a, out);
        if *op == '-'
            && let Expr::Var(n) = &**b
        {
            out.push(n.clone());
        }
    }
}

impl Formula {
    /// Parse `response ~ terms`.
    pub fn parse(s: &str) -> Result<Self> {
        let toks = lex(s)?;
        let end_col = s.chars().count() + 1;
        let tilde = toks.iter().position(|t| t.0 == Tok::Op('~'));
        let Some(tilde) = tilde else {
            let col = toks.get(1).map_or(end_col, |t| t.1);
            if toks.is_empty() {
                return Err(syntax(1, "empty formula"));
            }
            return Err(syntax(col, "expected `~` after the response"));
        };
        if let Some(t) = toks[tilde + 1..].iter().find(|t| t.0 == Tok::Op('~')) {
            return Err(syntax(t.1, "a formula has exactly one `~`"));
        }
        if tilde == 0 {
            return Err(syntax(1, "expected the response variable name"));
        }
        let mut lhs = Parser {
            toks: toks[..tilde].to_vec(),
            pos: 0,
            end_col: toks[tilde].1,
            arith: 1,
            depth: 0,
        };
        let response = lhs.sum()?;
        if lhs.pos < lhs.toks.len() {
            return Err(syntax(lhs.col(), "expected `~` after the response"));
        }
        let rhs_toks = toks[tilde + 1..].to_vec();
        if rhs_toks.is_empty() {
            return Err(syntax(end_col, "expected a term after `~`"));
        }
        let mut rhs = Parser { toks: rhs_toks, pos: 0, end_col, arith: 0, depth: 0 };
        let e = rhs.sum()?;
        if rhs.pos < rhs.toks.len() {
            return Err(syntax(rhs.col(), "expected `+` or `-` between terms"));
        }
        let mut ex = Expander { variables: Vec::new() };
        let t = ex.expand(&e)?;
        let mut excluded = Vec::new();
        minus_names(&e, &mut excluded);
        let has_dot = t.list.iter().any(Option::is_none);
        let mut terms: Vec<TermVars> = Vec::new();
        for term in t.list.iter().flatten() {
            if term.iter().any(|&v| ex.variables[v] == response) {
                return Err(Error::invalid(
                    "formula",
                    format!("the response `{}` is also a predictor", response.label()),
                ));
            }
            terms.push(term.clone());
        }
        let f = Formula {
            response,
            variables: ex.variables,
            terms,
            dot: has_dot.then_some(DotSpec { excluded }),
            intercept: t.intercept.unwrap_or(true),
        };
        Ok(f)
    }

    /// Expand `.` into the given column names (those not the response, not excluded and not
    /// already a main effect), inserted as main effects in column order, then order the terms
    /// by degree.
    pub fn expand_dot(&mut self, columns: &[String]) {
        if let Some(d) = self.dot.take() {
            let resp_cols = {
                let mut v = Vec::new();
                self.response.columns(&mut v);
                v
            };
            for c in columns {
                let e = Expr::Var(c.clone());
                if resp_cols.contains(c) || d.excluded.contains(c) {
                    continue;
                }
                let i = match self.variables.iter().position(|v| v == &e) {
                    Some(i) => i,
                    None => {
                        self.variables.push(e);
                        self.variables.len() - 1
                    }
                };
                if !self.terms.contains(&vec![i]) {
                    self.terms.push(vec![i]);
                }
            }
        }
        // Stable sort by degree (R's terms.formula with keep.order = FALSE).
        self.terms.sort_by_key(Vec::len);
    }

    /// The label of term `k` (`a:b`).
    pub fn term_label(&self, k: usize) -> String {
        self.terms[k].iter().map(|&v| self.variables[v].label()).collect::<Vec<_>>().join(":")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(s: &str) -> Vec<String> {
        let mut f = Formula::parse(s).unwrap();
        f.expand_dot(&[]);
        (0..f.terms.len()).map(|k| f.term_label(k)).collect()
    }

    #[test]
    fn parses_forms() {
        assert_eq!(labels("y ~ x1 + x2"), ["x1", "x2"]);
        assert!(!Formula::parse("y ~ 0 + x1").unwrap().intercept);
        assert!(!Formula::parse("y ~ x1 - 1").unwrap().intercept);
        assert!(Formula::parse("y ~ x1 - 1 + 1").unwrap().intercept);
        let f = Formula::parse("Employed ~ . - Year").unwrap();
        assert_eq!(f.dot.unwrap().excluded, vec!["Year".to_string()]);
        assert_eq!(labels("y ~ `odd name` + Infant.Mortality"), ["odd name", "Infant.Mortality"]);
        assert_eq!(labels("y ~ a * b + c"), ["a", "b", "c", "a:b"]);
        assert_eq!(labels("y ~ b:a + a"), ["a", "b:a"]);
        assert_eq!(labels("y ~ (a + b + c)^2"), ["a", "b", "c", "a:b", "a:c", "b:c"]);
        assert_eq!(labels("y ~ a * b - a:b"), ["a", "b"]);
        assert_eq!(labels("y ~ I(x^2) + log(z) + factor(g)"), ["I(x^2)", "log(z)", "factor(g)"]);
        assert_eq!(labels("y ~ I(x*2 - 1)"), ["I(x * 2 - 1)"]);
        assert_eq!(labels("log(y) ~ x"), ["x"]);
    }

    /// The formula printed back from its parsed form: response, term labels, intercept.
    fn print(f: &Formula) -> String {
        let mut terms: Vec<String> = (0..f.terms.len()).map(|k| f.term_label(k)).collect();
        if terms.is_empty() {
            terms.push("1".into());
        }
        let icpt = if f.intercept { "" } else { " - 1" };
        format!("{} ~ {}{icpt}", f.response.label(), terms.join(" + "))
    }

    /// Response, intercept and the sorted terms, each a sorted list of variable labels.
    fn model(f: &Formula) -> (String, bool, Vec<Vec<String>>) {
        let mut terms: Vec<Vec<String>> = f
            .terms
            .iter()
            .map(|t| {
                let mut v: Vec<String> = t.iter().map(|&k| f.variables[k].label()).collect();
                v.sort();
                v
            })
            .collect();
        terms.sort();
        (f.response.label(), f.intercept, terms)
    }

    fn rhs() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let atom = prop::sample::select(&["a", "b", "c", "factor(g)", "log(z)", "I(x^2)"][..])
            .prop_map(str::to_string);
        atom.prop_recursive(4, 24, 2, |inner| {
            prop_oneof![
                (
                    inner.clone(),
                    prop::sample::select(&[" + ", " * ", ":", " - "][..]),
                    inner.clone()
                )
                    .prop_map(|(a, op, b)| format!("{a}{op}{b}")),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} + {b})^2")),
                inner.prop_map(|a| format!("({a})")),
            ]
        })
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

        #[test]
        fn parse_print_parse_keeps_the_terms(
            rhs in rhs(),
            resp in proptest::sample::select(&["y", "log(y)"][..]),
            icpt in proptest::sample::select(&["", " - 1", " + 0", " + 1"][..]),
        ) {
            let text = format!("{resp} ~ {rhs}{icpt}");
            let Ok(f1) = Formula::parse(&text) else { return Ok(()) };
            if f1.terms.is_empty() && !f1.intercept {
                return Ok(());
            }
            let printed = print(&f1);
            let f2 = Formula::parse(&printed).unwrap_or_else(|e| panic!("{e}: {printed}"));
            // the same model: response, intercept and the set of terms (the variables of an
            // interaction are listed in order of first appearance, as R's terms.formula, so the
            // reprinted `b:c` may read `c:b`)
            proptest::prop_assert_eq!(model(&f1), model(&f2), "{} / {}", text, printed);
            proptest::prop_assert_eq!(f1.intercept, f2.intercept);
        }
    }

    #[test]
    fn syntax_errors_have_columns() {
        let e = Formula::parse("y ~ x1 +").unwrap_err();
        assert!(matches!(e, Error::Syntax { column: 9, .. }), "{e:?}");
        let e = Formula::parse("y ~ x1 x2").unwrap_err();
        assert!(matches!(e, Error::Syntax { column: 8, .. }), "{e:?}");
        let e = Formula::parse("y x1").unwrap_err();
        assert!(matches!(e, Error::Syntax { column: 3, .. }), "{e:?}");
        assert!(matches!(Formula::parse("y ~ foo(x)"), Err(Error::Syntax { .. })));
        assert!(matches!(Formula::parse("y ~ x + y"), Err(Error::InvalidParameter { .. })));
    }
}
