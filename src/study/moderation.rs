//! The study's moderation check on composite scores: its report section and its JSON.

#[cfg(feature = "serde")]
use serde_json::{Value, json};

#[cfg(feature = "serde")]
use super::json::num;
use super::results::StudyResults;
use crate::regression::ConditionalEffect;
#[cfg(feature = "serde")]
use crate::regression::{JohnsonNeyman, Moderation};
use crate::summary::{Summary, Table, fmt_num, fmt_pvalue};

impl StudyResults {
    /// "6b. Moderation check": the interaction, the conditional effects at the moderator's
    /// mean − 1 SD, mean and mean + 1 SD, the Johnson–Neyman values and the plot-ready table.
    pub(super) fn section_moderation(&self) -> Option<Summary> {
        let (m, c) = (self.moderation.as_ref()?, self.config.design.moderation.as_ref()?);
        let mut s = Summary::new(format!(
            "6b. Moderation check: {} as moderator of {} → {} (composites, PROCESS model 1)",
            c.w, c.x, c.y
        ));
        let fit = m.fit_result();
        let mut t = Table::new(
            Some(format!("{} ~ {} * {} (classical standard errors)", c.y, c.x, c.w).as_str()),
            ["term", "b", "SE", "t", "p"],
        );
        for (k, term) in fit.terms().iter().enumerate() {
            t.push([
                term.clone(),
                fmt_num(fit.coefficients()[k], 4),
                fmt_num(fit.std_errors()[k], 4),
                fmt_num(fit.t_values()[k], 2),
                fmt_pvalue(fit.p_values()[k]),
            ]);
        }
        s.table(t);
        s.key_values([("ΔR² due to the interaction".to_string(), fmt_num(m.r2_change(), 4))]);
        let alpha = 1.0 - self.config.ci_level;
        if let (Some(b3), Some(p3)) = (fit.coefficients().get(3), fit.p_values().get(3)) {
            s.text(format!(
                "Interaction {}:{}: b = {}, p {} — {}.",
                c.x,
                c.w,
                fmt_num(*b3, 4),
                fmt_pvalue(*p3),
                if *p3 < alpha {
                    format!("{} moderates the effect of {} on {}", c.w, c.x, c.y)
                } else {
                    format!(
                        "no evidence at the {} % level that {} moderates the effect of {} on {}",
                        fmt_num(100.0 * alpha, 0),
                        c.w,
                        c.x,
                        c.y
                    )
                }
            ));
        }
        let lvl = fmt_num(100.0 * self.config.ci_level, 0);
        let mut ce = effect_table(
            &format!("Conditional effect of {} at {} = mean − 1 SD, mean, mean + 1 SD", c.x, c.w),
            &c.w,
            &lvl,
        );
        for e in m.conditional_effects() {
            push_effect(&mut ce, e);
        }
        s.table(ce);
        let jn = m.johnson_neyman_table();
        let (lo, hi) = jn.w_range;
        let bounds = if jn.points.is_empty() {
            format!(
                "no Johnson–Neyman value inside the observed range of {} ({} to {}): the effect of {} is {} across it",
                c.w,
                fmt_num(lo, 3),
                fmt_num(hi, 3),
                c.x,
                if jn.table.first().is_some_and(|e| e.p_value < 1.0 - jn.level) {
                    "significant"
                } else {
                    "not significant"
                }
            )
        } else {
            jn.points
                .iter()
                .map(|p| {
                    format!(
                        "{} = {} ({}% of cases below, {}% above)",
                        c.w,
                        fmt_num(p.w, 4),
                        fmt_num(p.pct_below, 1),
                        fmt_num(p.pct_above, 1)
                    )
                })
                .collect::<Vec<_>>()
                .join("; ")
        };
        s.key_values([("Johnson–Neyman significance bounds".to_string(), bounds)]);
        let mut tt = effect_table(
            &format!("Johnson–Neyman table: conditional effect of {} across {}", c.x, c.w),
            &c.w,
            &lvl,
        );
        for e in &jn.table {
            push_effect(&mut tt, e);
        }
        s.table(tt);
        s.text(format!(
            "Significance at the two-sided {} % level (t on {} df). Composites are item means; the moderator is not centred.",
            fmt_num(100.0 * (1.0 - jn.level), 0),
            fit.df_residual()
        ));
        Some(s)
    }
}

fn effect_table(title: &str, w: &str, lvl: &str) -> Table {
    Table::new(
        Some(title),
        [
            w.to_string(),
            "effect".into(),
            "SE".into(),
            "t".into(),
            "p".into(),
            format!("{lvl} % CI lower"),
            format!("{lvl} % CI upper"),
        ],
    )
}

fn push_effect(t: &mut Table, e: &ConditionalEffect) {
    t.push([
        fmt_num(e.w, 4),
        fmt_num(e.effect, 4),
        fmt_num(e.se, 4),
        fmt_num(e.t, 2),
        fmt_pvalue(e.p_value),
        fmt_num(e.lower, 4),
        fmt_num(e.upper, 4),
    ]);
}

/// JSON of one conditional effect.
#[cfg(feature = "serde")]
pub fn conditional_effect(e: &ConditionalEffect) -> Value {
    serde_json::to_value(e).unwrap_or(Value::Null)
}

/// JSON of a Johnson–Neyman analysis: roots, in-range points, the observed range and the
/// plot-ready table.
#[cfg(feature = "serde")]
pub fn johnson_neyman(jn: &JohnsonNeyman) -> Value {
    serde_json::to_value(jn).unwrap_or(Value::Null)
}

/// JSON of a PROCESS model 1 fit (without the regression table): the interaction's ΔR², the
/// conditional effects at the probe values and the Johnson–Neyman analysis.
#[cfg(feature = "serde")]
pub fn moderation(m: &Moderation) -> Value {
    let fit = m.fit_result();
    json!({
        "terms": fit.terms(),
        "estimate": fit.coefficients().iter().map(|v| num(*v)).collect::<Vec<_>>(),
        "std_error": fit.std_errors().iter().map(|v| num(*v)).collect::<Vec<_>>(),
        "p_value": fit.p_values().iter().map(|v| num(*v)).collect::<Vec<_>>(),
        "r2_change": num(m.r2_change()),
        "conditional_effects": m.conditional_effects().iter().map(conditional_effect).collect::<Vec<_>>(),
        "johnson_neyman": johnson_neyman(m.johnson_neyman_table()),
    })
}
