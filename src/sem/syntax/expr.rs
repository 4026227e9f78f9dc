//! Iterative `Clone`, `PartialEq`, `Debug` and `Drop` of [`Expr`], so a tree of any depth is safe.

use std::fmt;

use super::{BinOp, Expr};

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
