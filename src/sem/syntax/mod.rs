//! Parser and printer of lavaan's model syntax.
//!
//! Grammar (one statement per line or per `;`):
//!
//! ```text
//! statement := names op terms | name ":=" expr | expr ("==" | "<" | ">") expr
//! names     := name ("+" name)*
//! op        := "=~" | "~" | "~~" | "|"
//! terms     := term ("+" term)*
//! term      := (modifier "*")* (name | "1")
//! modifier  := number | "NA" | name | "start(" number ")" | "label(" name ")"
//! expr      := the usual + - * / ^ ( ) over labels and numbers
//! ```
//!
//! `#` and `!` start a comment; a statement continues onto the next line when a line ends with an
//! operator, `+` or `*`, or when the next line starts with `+`.

use std::fmt;

use crate::error::{Error, Result};

use lex::{lex, syntax};
use parser::Parser;

/// A parsed model: its statements in the order written.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelSyntax {
    /// The statements.
    pub statements: Vec<Statement>,
}

/// One statement of a model.
#[derive(Debug, Clone, PartialEq)]
pub enum Statement {
    /// `lhs op rhs1 + rhs2 + …`; several left-hand sides (`y1 + y2 ~ x`) expand to one relation each.
    Relation {
        /// Left-hand side names.
        lhs: Vec<String>,
        /// The operator.
        op: Op,
        /// Right-hand side terms.
        rhs: Vec<Term>,
    },
    /// `name := expression`, a defined parameter.
    Defined {
        /// The new parameter's name.
        name: String,
        /// Its definition.
        expr: Expr,
    },
    /// `lhs == rhs`, `lhs < rhs` or `lhs > rhs`: an explicit constraint over parameter labels
    /// (and defined parameters).
    Constraint {
        /// Left-hand side.
        lhs: Expr,
        /// The comparison.
        op: ConstraintOp,
        /// Right-hand side.
        rhs: Expr,
    },
}

/// Operators of a relation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Op {
    /// `=~`: latent variable measured by indicators.
    Loading,
    /// `~`: regression.
    Regression,
    /// `~~`: variance or covariance.
    Covariance,
    /// `~1`: intercept (observed variable) or mean (latent variable); written `y ~ 1` in the
    /// syntax, a parameter-table row has `op = Intercept` and an empty `rhs` (as lavaan).
    Intercept,
    /// `|`: thresholds of an ordered variable, `x | t1 + t2 + t3` (right-hand sides named
    /// `t1`, `t2`, … in order; modifiers fix or label them as for any term).
    Threshold,
}

impl Op {
    /// lavaan's spelling of the operator.
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Loading => "=~",
            Op::Regression => "~",
            Op::Covariance => "~~",
            Op::Intercept => "~1",
            Op::Threshold => "|",
        }
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A right-hand-side term: a variable with its modifiers (`a*x`, `0.5*x`, `NA*x`, `start(1)*x`).
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    /// Modifiers in the order written.
    pub modifiers: Vec<Modifier>,
    /// The variable (`"1"` for an intercept).
    pub var: String,
}

/// A modifier of a term.
#[derive(Debug, Clone, PartialEq)]
pub enum Modifier {
    /// A fixed value (`0.5*x`).
    Fixed(f64),
    /// Explicitly free (`NA*x`).
    Free,
    /// A label (`a*x`); equal labels mean equal parameters.
    Label(String),
    /// A starting value (`start(0.5)*x`).
    Start(f64),
    /// One modifier per group of a multi-group model, in group order: `c(a1, a2)*x` (labels),
    /// `c(1, NA)*x` (fixed in group 1, free in group 2), `c(0.5, 0.5)*x` (values),
    /// `start(c(1, 2))*x` (starting values). Each element is one of the other variants.
    PerGroup(Vec<Modifier>),
}

/// Binary operators of defined-parameter expressions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `^`
    Pow,
}

/// An arithmetic expression over parameter labels and numbers.
///
/// `Clone`, `Drop`, `PartialEq` and `Debug` are iterative, so a tree of any depth built in code
/// is safe to copy, free, compare and print.
pub enum Expr {
    /// A number.
    Num(f64),
    /// A parameter label (or an earlier defined parameter).
    Param(String),
    /// Unary minus.
    Neg(Box<Expr>),
    /// A binary operation.
    Bin(BinOp, Box<Expr>, Box<Expr>),
}

impl Expr {
    /// The labels the expression refers to, in order of first appearance.
    ///
    /// Iterative (an explicit stack), so that a tree of any depth built in code is safe.
    pub fn labels(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut stack = vec![self];
        while let Some(e) = stack.pop() {
            match e {
                Expr::Num(_) => {}
                Expr::Param(p) => {
                    if !out.contains(p) {
                        out.push(p.clone());
                    }
                }
                Expr::Neg(a) => stack.push(a),
                Expr::Bin(_, a, b) => {
                    stack.push(b);
                    stack.push(a);
                }
            }
        }
        out
    }

    fn prec(&self) -> u8 {
        match self {
            Expr::Num(_) | Expr::Param(_) => 5,
            Expr::Bin(BinOp::Pow, ..) => 4,
            Expr::Neg(_) => 3,
            Expr::Bin(BinOp::Mul | BinOp::Div, ..) => 2,
            Expr::Bin(BinOp::Add | BinOp::Sub, ..) => 1,
        }
    }
}

/// Printing with an explicit stack of pending pieces instead of recursion, so that an expression
/// tree of any depth built in code prints without exhausting the call stack (the parser limits
/// the depth of what it reads to [`parser::MAX_EXPR_DEPTH`]).
impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        enum Piece<'a> {
            /// An expression, parenthesised when its precedence is below the given one.
            Expr(&'a Expr, u8),
            Text(&'static str),
        }
        let mut stack = vec![Piece::Expr(self, 0)];
        while let Some(piece) = stack.pop() {
            let (e, min_prec) = match piece {
                Piece::Text(t) => {
                    f.write_str(t)?;
                    continue;
                }
                Piece::Expr(e, m) => (e, m),
            };
            if e.prec() < min_prec {
                f.write_str("(")?;
                stack.push(Piece::Text(")"));
            }
            match e {
                Expr::Num(v) => f.write_str(&fmt_number(*v))?,
                Expr::Param(p) => f.write_str(p)?,
                Expr::Neg(a) => {
                    f.write_str("-")?;
                    stack.push(Piece::Expr(a, 3));
                }
                Expr::Bin(op, a, b) => {
                    // pushed in reverse: the left operand is printed first
                    let (sym, p) = match op {
                        BinOp::Add => (" + ", 1),
                        BinOp::Sub => (" - ", 1),
                        BinOp::Mul => ("*", 2),
                        BinOp::Div => ("/", 2),
                        BinOp::Pow => ("^", 4),
                    };
                    if *op == BinOp::Pow {
                        stack.push(Piece::Expr(b, p));
                        stack.push(Piece::Text(sym));
                        stack.push(Piece::Expr(a, p + 1));
                    } else {
                        stack.push(Piece::Expr(b, p + 1));
                        stack.push(Piece::Text(sym));
                        stack.push(Piece::Expr(a, p));
                    }
                }
            }
        }
        Ok(())
    }
}

/// Shortest text that parses back to the same number.
pub(crate) fn fmt_number(v: f64) -> String {
    let s = format!("{v}");
    if s.len() > 24 { format!("{v:e}") } else { s }
}

impl fmt::Display for Modifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Modifier::Fixed(v) => f.write_str(&fmt_number(*v)),
            Modifier::Free => f.write_str("NA"),
            Modifier::Label(l) => f.write_str(l),
            Modifier::Start(v) => write!(f, "start({})", fmt_number(*v)),
            Modifier::PerGroup(v) => {
                let starts = !v.is_empty() && v.iter().all(|m| matches!(m, Modifier::Start(_)));
                f.write_str(if starts { "start(c(" } else { "c(" })?;
                for (k, m) in v.iter().enumerate() {
                    if k > 0 {
                        f.write_str(", ")?;
                    }
                    match m {
                        Modifier::Start(x) if starts => f.write_str(&fmt_number(*x))?,
                        other => write!(f, "{other}")?,
                    }
                }
                f.write_str(if starts { "))" } else { ")" })
            }
        }
    }
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for m in &self.modifiers {
            write!(f, "{m}*")?;
        }
        f.write_str(&self.var)
    }
}

impl fmt::Display for Statement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Statement::Relation { lhs, op, rhs } => {
                write!(f, "{} {op} ", lhs.join(" + "))?;
                for (k, t) in rhs.iter().enumerate() {
                    if k > 0 {
                        f.write_str(" + ")?;
                    }
                    write!(f, "{t}")?;
                }
                Ok(())
            }
            Statement::Defined { name, expr } => write!(f, "{name} := {expr}"),
            Statement::Constraint { lhs, op, rhs } => write!(f, "{lhs} {op} {rhs}"),
        }
    }
}

impl fmt::Display for ModelSyntax {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for s in &self.statements {
            writeln!(f, "{s}")?;
        }
        Ok(())
    }
}

impl std::str::FromStr for ModelSyntax {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        parse(s)
    }
}

mod expr;
mod lex;
mod parser;

/// Parse lavaan model syntax.
///
/// # Examples
/// ```
/// use surveystat::sem::parse_model;
/// let m = parse_model("visual =~ x1 + a*x2 + start(0.5)*x3 # comment\n ind := a*2").unwrap();
/// assert_eq!(m.statements.len(), 2);
/// assert_eq!(parse_model(&m.to_string()).unwrap(), m);
/// ```
///
/// # Errors
/// [`Error::Syntax`] with the 1-based line and column and what was expected there.
pub fn parse_model(text: &str) -> Result<ModelSyntax> {
    parse(text)
}

pub(crate) fn parse(text: &str) -> Result<ModelSyntax> {
    // a UTF-8 byte-order mark at the start of a model file (as some editors write it)
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut statements = Vec::new();
    for toks in lex(text)? {
        let mut p = Parser { toks, pos: 0, nest: 0 };
        statements.push(p.statement()?);
    }
    if statements.is_empty() {
        return Err(syntax(1, 1, "expected at least one model statement, found none"));
    }
    Ok(ModelSyntax { statements })
}

impl ModelSyntax {
    /// Whether a term carries a per-group modifier (`c(...)`) with more than one element.
    pub fn has_group_modifiers(&self) -> bool {
        self.statements.iter().any(|s| match s {
            Statement::Relation { rhs, .. } => rhs.iter().any(|t| {
                t.modifiers.iter().any(|m| matches!(m, Modifier::PerGroup(v) if v.len() > 1))
            }),
            _ => false,
        })
    }

    /// The model with every per-group modifier replaced by its first element (the variables
    /// and rows of a multi-group model, whatever the number of groups).
    pub(crate) fn first_group(&self) -> ModelSyntax {
        let mut out = self.clone();
        for s in &mut out.statements {
            if let Statement::Relation { rhs, .. } = s {
                for m in rhs.iter_mut().flat_map(|t| t.modifiers.iter_mut()) {
                    if let Modifier::PerGroup(v) = &*m
                        && let Some(one) = v.first().cloned()
                    {
                        *m = one;
                    }
                }
            }
        }
        out
    }

    /// The model as group `g` (0-based) of `n_groups` sees it: every per-group modifier
    /// `c(m_1, ..., m_G)` replaced by its element `m_{g+1}`.
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] naming the term when a `c()` has a number of elements other
    /// than `n_groups` (one element is always accepted and applies to every group).
    pub fn for_group(&self, g: usize, n_groups: usize) -> Result<ModelSyntax> {
        let mut out = self.clone();
        for s in &mut out.statements {
            let Statement::Relation { lhs, op, rhs } = s else { continue };
            for t in rhs.iter_mut() {
                let what = format!("{} {op} {}", lhs.join(" + "), t.var);
                for m in &mut t.modifiers {
                    let Modifier::PerGroup(v) = &*m else { continue };
                    if v.len() != 1 && v.len() != n_groups {
                        return Err(Error::DimensionMismatch {
                            what: format!(
                                "elements of the per-group modifier `{m}` of `{what}` and groups of the model"
                            ),
                            expected: n_groups,
                            found: v.len(),
                        });
                    }
                    let k = if v.len() == 1 { 0 } else { g.min(v.len() - 1) };
                    let one = v[k].clone();
                    *m = one;
                }
            }
        }
        Ok(out)
    }
}

/// The comparison of an explicit constraint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum ConstraintOp {
    /// `==`
    Equal,
    /// `<`
    Less,
    /// `>`
    Greater,
}

impl ConstraintOp {
    /// lavaan's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ConstraintOp::Equal => "==",
            ConstraintOp::Less => "<",
            ConstraintOp::Greater => ">",
        }
    }
}

impl fmt::Display for ConstraintOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constraints_parse_and_print() {
        let m = parse("f =~ a*x1 + b*x2 + c*x3\na == 2*b + c\nb > 0\nc < a - 1").unwrap();
        assert_eq!(m.statements.len(), 4);
        assert!(matches!(m.statements[1], Statement::Constraint { op: ConstraintOp::Equal, .. }));
        assert_eq!(parse(&m.to_string()).unwrap(), m);
        assert!(parse("a == ").is_err());
        assert!(parse("a == b == c").is_err());
    }

    #[test]
    fn parses_poldem() {
        let m = parse(
            "  # measurement model\n ind60 =~ x1 + x2 + x3\n dem60 =~ y1 + a*y2 + b*y3 + c*y4\n dem65 ~ ind60 +\n   dem60\n y2 ~~ y4 + y6; y1 ~~ y5\n",
        )
        .unwrap();
        assert_eq!(m.statements.len(), 5);
        let back = parse(&m.to_string()).unwrap();
        assert_eq!(back, m);
    }

    #[test]
    fn per_group_modifiers_parse_print_and_resolve() {
        let m = parse(
            "f =~ x1 + c(a, a)*x2 + c(1, NA)*x3 + c(0.5, -1)*x4 + start(c(1, 2))*x5\nx1 ~ c(i1, i2)*1",
        )
        .unwrap();
        assert!(m.has_group_modifiers());
        assert_eq!(parse(&m.to_string()).unwrap(), m);
        let g2 = m.for_group(1, 2).unwrap();
        assert!(!g2.has_group_modifiers());
        let Statement::Relation { rhs, .. } = &g2.statements[0] else { panic!() };
        assert_eq!(rhs[1].modifiers, vec![Modifier::Label("a".into())]);
        assert_eq!(rhs[2].modifiers, vec![Modifier::Free]);
        assert_eq!(rhs[3].modifiers, vec![Modifier::Fixed(-1.0)]);
        assert_eq!(rhs[4].modifiers, vec![Modifier::Start(2.0)]);
        match m.for_group(0, 3) {
            Err(Error::DimensionMismatch { expected: 3, found: 2, what }) => {
                assert!(what.contains("f =~ x2"), "{what}")
            }
            other => panic!("{other:?}"),
        }
        assert!(parse("f =~ c(a, *x1").is_err());
        assert!(parse("f =~ start(c(a))*x1").is_err());
        // `c` alone is an ordinary name
        assert!(parse("f =~ c + d + e").is_ok());
    }

    #[test]
    fn plus_on_next_line() {
        let m = parse("f =~ x1 + x2\n  + x3\ng =~ x4 + x5 + x6").unwrap();
        assert_eq!(m.statements.len(), 2);
    }

    #[test]
    fn defined_expr_roundtrip() {
        let m = parse("d := a*b - (c - d)/2^-e + -f").unwrap();
        assert_eq!(parse(&m.to_string()).unwrap(), m);
    }

    #[test]
    fn error_position() {
        match parse("f =~ x1 + x2\ng x3") {
            Err(Error::Syntax { line, column, message }) => {
                assert_eq!((line, column), (2, 3));
                assert!(message.contains("operator"), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }
}
