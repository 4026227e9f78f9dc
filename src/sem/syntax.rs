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
/// the depth of what it reads to [`MAX_EXPR_DEPTH`]).
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

// ---------------------------------------------------------------- lexer

#[derive(Debug, Clone, PartialEq)]
enum Tok {
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
    fn describe(&self) -> String {
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
struct Spanned {
    tok: Tok,
    line: usize,
    col: usize,
}

fn syntax(line: usize, col: usize, message: impl Into<String>) -> Error {
    Error::Syntax { line, column: col, message: message.into() }
}

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_' || c == '.'
}
fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '.'
}

/// Lex into statements (lists of tokens ending with `End`).
fn lex(text: &str) -> Result<Vec<Vec<Spanned>>> {
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

// ---------------------------------------------------------------- parser

/// Deepest `:=` expression accepted (see `Parser::expr`).
pub(crate) const MAX_EXPR_DEPTH: usize = 256;

struct Parser {
    toks: Vec<Spanned>,
    pos: usize,
    /// current recursion depth of the expression parser
    nest: usize,
}

impl Parser {
    fn peek(&self) -> &Spanned {
        // the last token is always End
        &self.toks[self.pos.min(self.toks.len() - 1)]
    }
    fn next(&mut self) -> Spanned {
        let t = self.peek().clone();
        if self.pos < self.toks.len() - 1 {
            self.pos += 1;
        }
        t
    }
    fn err(&self, expected: &str) -> Error {
        let t = self.peek();
        syntax(t.line, t.col, format!("expected {expected}, found {}", t.tok.describe()))
    }

    fn statement(&mut self) -> Result<Statement> {
        if self.toks.iter().any(|t| matches!(t.tok, Tok::Constraint(_))) {
            return self.constraint();
        }
        let first = self.next();
        let name = match first.tok {
            Tok::Ident(s) => s,
            other => {
                return Err(syntax(
                    first.line,
                    first.col,
                    format!(
                        "expected a variable name at the start of a statement, found {}",
                        other.describe()
                    ),
                ));
            }
        };
        if self.peek().tok == Tok::Define {
            self.next();
            let expr = self.expr()?;
            if self.peek().tok != Tok::End {
                return Err(self.err("an operator (+ - * / ^) or the end of the definition"));
            }
            return Ok(Statement::Defined { name, expr });
        }
        let mut lhs = vec![name];
        while self.peek().tok == Tok::Plus {
            self.next();
            match self.next() {
                Spanned { tok: Tok::Ident(s), .. } => lhs.push(s),
                t => {
                    return Err(syntax(
                        t.line,
                        t.col,
                        format!("expected a variable name after `+`, found {}", t.tok.describe()),
                    ));
                }
            }
        }
        let op_tok = self.peek().clone();
        let op = match op_tok.tok {
            Tok::Loading => Op::Loading,
            Tok::Tilde => Op::Regression,
            Tok::TildeTilde => Op::Covariance,
            Tok::Bar => Op::Threshold,
            _ => return Err(self.err("an operator (=~, ~, ~~ or :=)")),
        };
        self.next();
        let mut rhs = vec![self.term()?];
        loop {
            match self.peek().tok {
                Tok::Plus => {
                    self.next();
                    rhs.push(self.term()?);
                }
                Tok::End => break,
                _ => return Err(self.err("`+` or the end of the statement")),
            }
        }
        Ok(Statement::Relation { lhs, op, rhs })
    }

    /// `expr (== | < | >) expr`.
    fn constraint(&mut self) -> Result<Statement> {
        let lhs = self.expr()?;
        let op = match self.peek().tok {
            Tok::Constraint("==") => ConstraintOp::Equal,
            Tok::Constraint("<") => ConstraintOp::Less,
            Tok::Constraint(">") => ConstraintOp::Greater,
            _ => return Err(self.err("an operator (+ - * / ^) or a comparison (==, <, >)")),
        };
        self.next();
        let rhs = self.expr()?;
        if self.peek().tok != Tok::End {
            return Err(self.err("an operator (+ - * / ^) or the end of the constraint"));
        }
        Ok(Statement::Constraint { lhs, op, rhs })
    }

    fn signed_number(&mut self) -> Option<f64> {
        match self.peek().tok {
            Tok::Num(v) => {
                self.next();
                Some(v)
            }
            Tok::Minus => {
                if let Some(Spanned { tok: Tok::Num(v), .. }) = self.toks.get(self.pos + 1) {
                    let v = *v;
                    self.next();
                    self.next();
                    Some(-v)
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    fn term(&mut self) -> Result<Term> {
        let mut modifiers = Vec::new();
        loop {
            let t = self.peek().clone();
            // a number: either a modifier (followed by `*`) or the intercept `1`
            if let Some(v) = self.signed_number() {
                if self.peek().tok == Tok::Star {
                    self.next();
                    modifiers.push(Modifier::Fixed(v));
                    continue;
                }
                if v == 1.0 && matches!(t.tok, Tok::Num(_)) {
                    return Ok(Term { modifiers, var: "1".into() });
                }
                return Err(self.err("`*` after a fixed value (as in 0.5*x)"));
            }
            match t.tok {
                Tok::Ident(s) => {
                    self.next();
                    if (s == "start" || s == "label" || s == "equal")
                        && self.peek().tok == Tok::LParen
                    {
                        self.next();
                        let m = if s == "start" {
                            match self.signed_number() {
                                Some(v) => Modifier::Start(v),
                                None => return Err(self.err("a number inside start( )")),
                            }
                        } else {
                            match self.next() {
                                Spanned { tok: Tok::Ident(l), .. } => Modifier::Label(l),
                                t2 => {
                                    return Err(syntax(
                                        t2.line,
                                        t2.col,
                                        format!(
                                            "expected a label inside {s}( ), found {}",
                                            t2.tok.describe()
                                        ),
                                    ));
                                }
                            }
                        };
                        if self.peek().tok != Tok::RParen {
                            return Err(self.err("`)`"));
                        }
                        self.next();
                        if self.peek().tok != Tok::Star {
                            return Err(self.err("`*` after the modifier"));
                        }
                        self.next();
                        modifiers.push(m);
                        continue;
                    }
                    if self.peek().tok == Tok::Star {
                        self.next();
                        modifiers.push(if s == "NA" { Modifier::Free } else { Modifier::Label(s) });
                        continue;
                    }
                    return Ok(Term { modifiers, var: s });
                }
                _ => {
                    return Err(
                        self.err("a variable name, a modifier (a*, 0.5*, NA*, start(1)*) or `1`")
                    );
                }
            }
        }
    }

    /// Parse a `:=` expression. Its tree depth (operators in a chain count one level each, as do
    /// parentheses, unary signs and exponents) is limited to [`MAX_EXPR_DEPTH`], so that
    /// evaluating, printing and dropping it can never exhaust the stack.
    fn expr(&mut self) -> Result<Expr> {
        self.sum().map(|(e, _)| e)
    }
    fn too_deep(&self) -> Error {
        let t = self.peek();
        syntax(
            t.line,
            t.col,
            format!(
                "expression nested too deeply (more than {MAX_EXPR_DEPTH} levels of parentheses, signs, `^` or chained operators); split it into several `:=` definitions"
            ),
        )
    }
    /// Enter one level of recursion (parentheses, unary sign, exponent).
    fn enter(&mut self) -> Result<()> {
        self.nest += 1;
        if self.nest > MAX_EXPR_DEPTH { Err(self.too_deep()) } else { Ok(()) }
    }
    fn sum(&mut self) -> Result<(Expr, usize)> {
        let (mut left, mut dl) = self.product()?;
        loop {
            let op = match self.peek().tok {
                Tok::Plus => BinOp::Add,
                Tok::Minus => BinOp::Sub,
                _ => return Ok((left, dl)),
            };
            self.next();
            let (right, dr) = self.product()?;
            dl = dl.max(dr) + 1;
            if dl > MAX_EXPR_DEPTH {
                return Err(self.too_deep());
            }
            left = Expr::Bin(op, Box::new(left), Box::new(right));
        }
    }
    fn product(&mut self) -> Result<(Expr, usize)> {
        let (mut left, mut dl) = self.unary()?;
        loop {
            let op = match self.peek().tok {
                Tok::Star => BinOp::Mul,
                Tok::Slash => BinOp::Div,
                _ => return Ok((left, dl)),
            };
            self.next();
            let (right, dr) = self.unary()?;
            dl = dl.max(dr) + 1;
            if dl > MAX_EXPR_DEPTH {
                return Err(self.too_deep());
            }
            left = Expr::Bin(op, Box::new(left), Box::new(right));
        }
    }
    fn unary(&mut self) -> Result<(Expr, usize)> {
        if matches!(self.peek().tok, Tok::Minus | Tok::Plus) {
            let neg = self.peek().tok == Tok::Minus;
            self.next();
            self.enter()?;
            let (a, d) = self.unary()?;
            self.nest -= 1;
            return Ok(if neg { (Expr::Neg(Box::new(a)), d + 1) } else { (a, d) });
        }
        self.power()
    }
    fn power(&mut self) -> Result<(Expr, usize)> {
        let (base, db) = self.atom()?;
        if self.peek().tok == Tok::Caret {
            self.next();
            self.enter()?;
            let (exp, de) = self.unary()?;
            self.nest -= 1;
            let d = db.max(de) + 1;
            if d > MAX_EXPR_DEPTH {
                return Err(self.too_deep());
            }
            return Ok((Expr::Bin(BinOp::Pow, Box::new(base), Box::new(exp)), d));
        }
        Ok((base, db))
    }
    fn atom(&mut self) -> Result<(Expr, usize)> {
        let t = self.peek().clone();
        match t.tok {
            Tok::Num(v) => {
                self.next();
                Ok((Expr::Num(v), 1))
            }
            Tok::Ident(s) => {
                self.next();
                Ok((Expr::Param(s), 1))
            }
            Tok::LParen => {
                self.next();
                self.enter()?;
                let e = self.sum()?;
                self.nest -= 1;
                if self.peek().tok != Tok::RParen {
                    return Err(self.err("`)`"));
                }
                self.next();
                Ok(e)
            }
            _ => Err(self.err("a label, a number or `(`")),
        }
    }
}

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

impl Clone for Expr {
    /// Iterative copy (post-order with an explicit stack).
    fn clone(&self) -> Self {
        enum Task<'a> {
            Visit(&'a Expr),
            Neg,
            Bin(BinOp),
        }
        let mut tasks = vec![Task::Visit(self)];
        let mut out: Vec<Expr> = Vec::new();
        let pop = |out: &mut Vec<Expr>| out.pop().unwrap_or(Expr::Num(f64::NAN));
        while let Some(t) = tasks.pop() {
            match t {
                Task::Visit(Expr::Num(v)) => out.push(Expr::Num(*v)),
                Task::Visit(Expr::Param(p)) => out.push(Expr::Param(p.clone())),
                Task::Visit(Expr::Neg(a)) => {
                    tasks.push(Task::Neg);
                    tasks.push(Task::Visit(a));
                }
                Task::Visit(Expr::Bin(op, a, b)) => {
                    tasks.push(Task::Bin(*op));
                    tasks.push(Task::Visit(b));
                    tasks.push(Task::Visit(a));
                }
                Task::Neg => {
                    let a = pop(&mut out);
                    out.push(Expr::Neg(Box::new(a)));
                }
                Task::Bin(op) => {
                    let b = pop(&mut out);
                    let a = pop(&mut out);
                    out.push(Expr::Bin(op, Box::new(a), Box::new(b)));
                }
            }
        }
        pop(&mut out)
    }
}

impl PartialEq for Expr {
    /// Iterative comparison (pairs of nodes on an explicit stack).
    fn eq(&self, other: &Self) -> bool {
        let mut stack = vec![(self, other)];
        while let Some(pair) = stack.pop() {
            match pair {
                (Expr::Num(x), Expr::Num(y)) if x == y => {}
                (Expr::Param(x), Expr::Param(y)) if x == y => {}
                (Expr::Neg(x), Expr::Neg(y)) => stack.push((x, y)),
                (Expr::Bin(o1, a1, b1), Expr::Bin(o2, a2, b2)) if o1 == o2 => {
                    stack.push((b1, b2));
                    stack.push((a1, a2));
                }
                _ => return false,
            }
        }
        true
    }
}

impl fmt::Debug for Expr {
    /// The expression in model syntax (the iterative [`fmt::Display`]), e.g. `Expr(a*b + 1)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Expr({self})")
    }
}

impl Drop for Expr {
    /// Iterative drop: children are detached onto a stack before their parent is freed, so the
    /// recursion depth of the compiler's drop glue stays at one level.
    fn drop(&mut self) {
        fn detach(e: &mut Expr, stack: &mut Vec<Expr>) {
            let leaf = || Box::new(Expr::Num(0.0));
            match e {
                Expr::Neg(a) => stack.push(*std::mem::replace(a, leaf())),
                Expr::Bin(_, a, b) => {
                    stack.push(*std::mem::replace(a, leaf()));
                    stack.push(*std::mem::replace(b, leaf()));
                }
                Expr::Num(_) | Expr::Param(_) => {}
            }
        }
        if matches!(self, Expr::Num(_) | Expr::Param(_)) {
            return;
        }
        let mut stack = Vec::new();
        detach(self, &mut stack);
        while let Some(mut e) = stack.pop() {
            detach(&mut e, &mut stack);
        }
    }
}

#[cfg(test)]
mod deep_expr {
    use super::*;

    #[test]
    fn deep_trees_compare_and_print_without_recursion() {
        let mut a = Expr::Param("a".into());
        let mut b = Expr::Param("a".into());
        for _ in 0..1_000_000 {
            a = Expr::Neg(Box::new(a));
            b = Expr::Neg(Box::new(b));
        }
        assert!(a == b);
        let c = Expr::Bin(BinOp::Add, Box::new(a), Box::new(Expr::Num(1.0)));
        let d = Expr::Bin(BinOp::Add, Box::new(b), Box::new(Expr::Num(2.0)));
        assert!(c != d);
        assert!(format!("{c:?}").starts_with("Expr("));
    }

    #[test]
    fn a_million_deep_tree_clones_and_drops_without_recursion() {
        let mut e = Expr::Param("a".into());
        for k in 0..1_000_000 {
            e = if k % 2 == 0 {
                Expr::Neg(Box::new(e))
            } else {
                Expr::Bin(BinOp::Add, Box::new(e), Box::new(Expr::Num(1.0)))
            };
        }
        let c = e.clone();
        assert_eq!(c.labels(), vec!["a".to_string()]);
        drop(e);
        drop(c);
        let small =
            Expr::Bin(BinOp::Mul, Box::new(Expr::Num(2.0)), Box::new(Expr::Param("b".into())));
        assert_eq!(small.clone(), small);
    }
}
