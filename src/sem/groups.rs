//! The parameter tables of a multi-group model and its global parameter vector.
//!
//! Group `g`'s table is built from the syntax with every per-group modifier `c(m_1, ..., m_G)`
//! replaced by its element `m_g` ([`ModelSyntax::for_group`]), so values, free/fixed status and
//! labels may differ by group while the rows (left-hand side, operator, right-hand side, order)
//! are the same in every group. A free parameter of a group maps to a global parameter by, in
//! this order (lavaan's rules):
//!
//! 1. its label: every row carrying the same label, in any group, is one parameter (a label
//!    written without `c()` applies to every group and so makes the parameter equal across
//!    groups; `c(a, a)` does the same, `c(b1, b2)` keeps the groups apart);
//! 2. its kind, when that kind is listed in `group.equal` (and the row not in `group.partial`):
//!    one parameter shared by the groups where the row is free — a labelled row is exempt;
//! 3. otherwise a parameter of its own.

use std::collections::HashMap;

use super::params::free_names;
use super::partable::{ParRow, ParTable, TableOptions};
use super::syntax::{ModelSyntax, Statement};
use crate::error::{Error, Result};

/// The tables of the `n_groups` groups.
///
/// # Errors
/// [`Error::DimensionMismatch`] for a `c()` whose length is not `n_groups` (or one); errors of
/// the table builder; [`Error::InvalidParameter`] when a defined parameter uses a label that no
/// group has.
pub(crate) fn group_tables(
    syntax: &ModelSyntax,
    opts: TableOptions,
    n_groups: usize,
) -> Result<Vec<ParTable>> {
    if !syntax.has_group_modifiers() {
        let pt = ParTable::build(syntax, opts)?;
        return Ok(vec![pt; n_groups.max(1)]);
    }
    // the defined parameters may use labels of any group: build the groups without them, check
    // their labels against all groups, and attach them to every table (the explicit constraints
    // are the multi-group model's own table, `constraints::global_table`)
    let without: ModelSyntax = ModelSyntax {
        statements: syntax
            .statements
            .iter()
            .filter(|s| !matches!(s, Statement::Defined { .. } | Statement::Constraint { .. }))
            .cloned()
            .collect(),
    };
    let mut pts = Vec::with_capacity(n_groups);
    for g in 0..n_groups {
        pts.push(ParTable::build(&without.for_group(g, n_groups)?, opts)?);
    }
    for (g, pt) in pts.iter().enumerate().skip(1) {
        let same =
            pt.rows.len() == pts[0].rows.len()
                && pt.rows.iter().zip(&pts[0].rows).all(|(a, b)| {
                    a.lhs == b.lhs && a.op == b.op && a.rhs == b.rhs && a.exo == b.exo
                });
        if !same {
            return Err(Error::invalid(
                "model",
                format!(
                    "the per-group modifiers give group {} a different set of parameters than group 1",
                    g + 1
                ),
            ));
        }
    }
    let defined: Vec<_> = syntax
        .statements
        .iter()
        .filter_map(|s| match s {
            Statement::Defined { name, expr } => Some((name.clone(), expr.clone())),
            _ => None,
        })
        .collect();
    for (k, (name, expr)) in defined.iter().enumerate() {
        let known = |l: &str| {
            pts.iter().any(|pt| pt.rows.iter().any(|r| r.label == l))
                || defined[..k].iter().any(|(n, _)| n == l)
        };
        if known(name) || defined[..k].iter().any(|(n, _)| n == name) {
            return Err(Error::invalid(
                "model",
                format!("defined parameter `{name}` is defined twice or reuses a label"),
            ));
        }
        if let Some(l) = expr.labels().into_iter().find(|l| !known(l)) {
            return Err(Error::invalid(
                "model",
                format!("defined parameter `{name}` uses `{l}`, which is not a parameter label"),
            ));
        }
    }
    for pt in &mut pts {
        pt.defined = defined.clone();
    }
    Ok(pts)
}

/// The global parameters: `map[g][f]` is the global index of group `g`'s free parameter `f`,
/// `names` their names (a group's own parameter outside the first group is suffixed `.gN`).
/// `equal(row)` says whether the row's kind is constrained equal across groups.
pub(crate) fn global_map(
    pts: &[ParTable],
    equal: &dyn Fn(&ParRow) -> bool,
) -> (Vec<Vec<usize>>, Vec<String>) {
    #[derive(Hash, PartialEq, Eq)]
    enum Key {
        Label(String),
        Row(usize),
        Own(usize, usize),
    }
    let mut index: HashMap<Key, usize> = HashMap::new();
    let mut names: Vec<String> = Vec::new();
    let mut map = Vec::with_capacity(pts.len());
    for (g, pt) in pts.iter().enumerate() {
        let local = free_names(pt);
        let mut first_row = vec![usize::MAX; pt.npar];
        for (k, r) in pt.rows.iter().enumerate() {
            if let Some(f) = r.free
                && first_row[f] == usize::MAX
            {
                first_row[f] = k;
            }
        }
        let mut m = vec![0usize; pt.npar];
        for f in 0..pt.npar {
            let k = first_row[f];
            let key = match pt.rows.get(k) {
                Some(r) if !r.label.is_empty() => Key::Label(r.label.clone()),
                Some(r) if equal(r) => Key::Row(k),
                _ => Key::Own(g, f),
            };
            let own = matches!(key, Key::Own(..));
            m[f] = *index.entry(key).or_insert_with(|| {
                names.push(if g == 0 || !own {
                    local[f].clone()
                } else {
                    format!("{}.g{}", local[f], g + 1)
                });
                names.len() - 1
            });
        }
        map.push(m);
    }
    (map, names)
}
