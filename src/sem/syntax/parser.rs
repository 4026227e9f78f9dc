//! Recursive-descent parser of one statement's tokens.

use super::lex::{Spanned, Tok, syntax};
use super::{BinOp, ConstraintOp, Expr, Modifier, Op, Statement, Term};
use crate::error::{Error, Result};

/// Deepest `:=` expression accepted (see `Parser::expr`).
pub(crate) const MAX_EXPR_DEPTH: usize = 256;

/// What a `c(...)` list may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GroupList {
    /// `c(...)` as a modifier: values, `NA`, labels.
    Any,
    /// `start(c(...))`: numbers.
    Numbers,
    /// `label(c(...))`, `equal(c(...))`: labels.
    Labels,
}

pub(super) struct Parser {
    pub(super) toks: Vec<Spanned>,
    pub(super) pos: usize,
    /// current recursion depth of the expression parser
    pub(super) nest: usize,
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

    pub(super) fn statement(&mut self) -> Result<Statement> {
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
                    if s == "c" && self.peek().tok == Tok::LParen {
                        self.next();
                        let m = Modifier::PerGroup(self.group_list(GroupList::Any)?);
                        if self.peek().tok != Tok::Star {
                            return Err(self.err("`*` after the modifier"));
                        }
                        self.next();
                        modifiers.push(m);
                        continue;
                    }
                    if (s == "start" || s == "label" || s == "equal")
                        && self.peek().tok == Tok::LParen
                    {
                        self.next();
                        let per_group = matches!(&self.peek().tok, Tok::Ident(c) if c == "c")
                            && self.toks.get(self.pos + 1).is_some_and(|t| t.tok == Tok::LParen);
                        let m = if per_group {
                            self.next();
                            self.next();
                            let kind =
                                if s == "start" { GroupList::Numbers } else { GroupList::Labels };
                            Modifier::PerGroup(self.group_list(kind)?)
                        } else if s == "start" {
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

    /// The elements of `c(...)` after its `(`, through the closing `)`: numbers (fixed values,
    /// or starting values inside `start()`), `NA` (free) and labels.
    fn group_list(&mut self, kind: GroupList) -> Result<Vec<Modifier>> {
        let mut out = Vec::new();
        loop {
            if let Some(v) = self.signed_number() {
                out.push(match kind {
                    GroupList::Any => Modifier::Fixed(v),
                    GroupList::Numbers => Modifier::Start(v),
                    GroupList::Labels => return Err(self.err("a label inside c( )")),
                });
            } else {
                let t = self.next();
                match t.tok {
                    Tok::Ident(l) if kind != GroupList::Numbers => {
                        out.push(if l == "NA" && kind == GroupList::Any {
                            Modifier::Free
                        } else {
                            Modifier::Label(l)
                        });
                    }
                    other => {
                        let what = match kind {
                            GroupList::Any => "a number, NA or a label",
                            GroupList::Numbers => "a number",
                            GroupList::Labels => "a label",
                        };
                        return Err(syntax(
                            t.line,
                            t.col,
                            format!("expected {what} inside c( ), found {}", other.describe()),
                        ));
                    }
                }
            }
            match self.next() {
                Spanned { tok: Tok::Comma, .. } => {}
                Spanned { tok: Tok::RParen, .. } => break,
                t => {
                    return Err(syntax(
                        t.line,
                        t.col,
                        format!("expected `,` or `)` in c( ), found {}", t.tok.describe()),
                    ));
                }
            }
        }
        Ok(out)
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
