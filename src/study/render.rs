//! The results as a paper's results section: text (`Display`), summaries and Markdown.

use std::fmt;

use super::*;
use crate::factor::KmoFit;
use crate::report::Report;
use crate::resample::Interval;
use crate::sem::SemFit;
use crate::summary::{Summary, Table, fmt_num, fmt_pvalue, signif_stars};

impl StudyResults {
    /// The results section: one [`Summary`] per step.
    pub fn sections(&self) -> Vec<Summary> {
        let mut v = vec![
            self.section_sample(),
            self.section_reliability(),
            self.section_validity(),
            self.section_structural(),
            self.section_mediation(),
            self.section_ols(),
        ];
        v.extend(self.section_moderation());
        v.push(self.section_groups());
        v.extend(self.section_latent_means());
        v
    }

    /// The whole results section as one [`Summary`] (sections as text headings).
    pub fn summary(&self) -> Summary {
        let mut s = Summary::new(format!("Results — {}", self.config.design.title));
        for sec in self.sections() {
            s.text(format!(
                "{}\n{}",
                sec.title,
                "=".repeat(unicode_width::UnicodeWidthStr::width(sec.title.as_str()))
            ));
            s.blocks.extend(sec.blocks);
        }
        s
    }

    /// The results as a Markdown document ([`crate::report`]); `diagram_path`, if given, is
    /// linked as the path diagram image.
    pub fn to_markdown_with_diagram(&self, diagram_path: Option<&str>) -> String {
        let mut r = Report::new();
        r.heading(1, format!("Results — {}", self.config.design.title));
        r.markdown(format!(
            "Data: `{}`, n = {} respondents, {} items in {} constructs. Bootstrap: {} replications, seed {}.",
            self.source,
            self.n_rows,
            self.config.design.items().len(),
            self.config.design.constructs.len(),
            self.config.bootstrap,
            self.config.seed
        ));
        for (i, sec) in self.sections().iter().enumerate() {
            r.heading(2, sec.title.clone());
            for b in &sec.blocks {
                match b {
                    crate::summary::Block::Table(t) => {
                        r.table(t);
                    }
                    crate::summary::Block::Text(t) => {
                        r.text(t.replace('\n', " "));
                    }
                    crate::summary::Block::KeyValues(kv) => {
                        r.bullets(kv.iter().map(|(k, v)| format!("{k}: {v}")));
                    }
                }
            }
            if i == 3
                && let Some(p) = diagram_path
            {
                r.image("Path diagram of the structural model (standardized estimates)", p);
            }
        }
        r.to_markdown()
    }

    /// The results as a Markdown document (no diagram link).
    pub fn to_markdown(&self) -> String {
        self.to_markdown_with_diagram(None)
    }

    fn section_sample(&self) -> Summary {
        let mut s = Summary::new("1. Sample");
        if !self.groups.is_empty() {
            let mut t = Table::new(Some("Respondents by region"), ["region", "n", "%"]);
            for (g, n) in &self.groups {
                t.push([
                    g.clone(),
                    n.to_string(),
                    fmt_num(100.0 * *n as f64 / self.n_rows as f64, 1),
                ]);
            }
            t.push(["total".to_string(), self.n_rows.to_string(), fmt_num(100.0, 1)]);
            s.table(t);
        }
        let mut t = Table::new(
            Some("Item descriptives (sd with divisor n − 1; frequencies of the answers 1…5)"),
            ["construct", "item", "n", "mean", "sd", "skew", "kurtosis", "1", "2", "3", "4", "5"],
        );
        for c in &self.config.design.constructs {
            for (j, it) in c.items.iter().enumerate() {
                let Some(v) = self.descriptives.variable(it) else { continue };
                let counts: Vec<String> = match v.counts() {
                    Some(f) => f.counts().iter().map(|c| c.to_string()).collect(),
                    None => vec![String::new(); 5],
                };
                let mut row = vec![
                    if j == 0 { c.name.clone() } else { String::new() },
                    it.clone(),
                    v.n().to_string(),
                    fmt_num(v.mean(), 3),
                    fmt_num(v.sd(), 3),
                    fmt_num(v.skew(), 2),
                    fmt_num(v.kurtosis(), 2),
                ];
                row.extend(counts);
                t.push(row);
            }
        }
        s.table(t);
        s
    }

    fn section_reliability(&self) -> Summary {
        let mut s = Summary::new("2. Reliability");
        let lvl = 100.0 * self.config.ci_level;
        let mut t = Table::new(
            Some("Internal consistency and convergent validity"),
            [
                "construct".to_string(),
                "k".into(),
                "alpha".into(),
                format!("{lvl:.0}% CI (Feldt)"),
                "std.alpha".into(),
                "G6(smc)".into(),
                "average r".into(),
                "CR".into(),
                "AVE".into(),
                "omega".into(),
            ],
        );
        for (i, (c, f)) in self.alpha.iter().enumerate() {
            let ci = f.feldt_ci();
            t.push([
                c.clone(),
                f.n_items().to_string(),
                fmt_num(f.raw_alpha(), 3),
                format!("[{}, {}]", fmt_num(ci.lower, 3), fmt_num(ci.upper, 3)),
                fmt_num(f.std_alpha(), 3),
                fmt_num(f.g6(), 3),
                fmt_num(f.average_r(), 3),
                fmt_num(self.cr.get(i).map(|x| x.1), 3),
                fmt_num(self.ave.get(i).map(|x| x.1), 3),
                fmt_num(self.omega.get(i).map(|x| x.1), 3),
            ]);
        }
        s.table(t);
        let mut t = Table::new(
            Some("Item statistics (r.drop = corrected item–total correlation)"),
            ["construct", "item", "r.drop", "alpha if dropped", "std. loading (CFA)", "mean", "sd"],
        );
        let std_l = self.cfa.std_loadings();
        for (c, f) in &self.alpha {
            for (j, it) in f.items().iter().enumerate() {
                let l = std_l.iter().find(|(fc, i, _)| fc == c && *i == it.item).map(|x| x.2);
                t.push([
                    if j == 0 { c.clone() } else { String::new() },
                    it.item.clone(),
                    fmt_num(it.r_drop, 3),
                    fmt_num(it.if_dropped.as_ref().map(|d| d.raw_alpha), 3),
                    fmt_num(l, 3),
                    fmt_num(it.mean, 2),
                    fmt_num(it.sd, 2),
                ]);
            }
        }
        s.table(t);
        let (lo, hi) = min_max(self.alpha.iter().map(|(c, f)| (c.as_str(), f.raw_alpha())));
        let (clo, chi) = min_max(self.cr.iter().map(|(c, v)| (c.as_str(), *v)));
        let (alo, ahi) = min_max(self.ave.iter().map(|(c, v)| (c.as_str(), *v)));
        s.text(format!(
            "Cronbach's alpha ranged from {} ({}) to {} ({}); composite reliability from {} ({}) to {} ({});\n\
             AVE from {} ({}) to {} ({}). {}",
            fmt_num(lo.1, 2), lo.0, fmt_num(hi.1, 2), hi.0,
            fmt_num(clo.1, 2), clo.0, fmt_num(chi.1, 2), chi.0,
            fmt_num(alo.1, 2), alo.0, fmt_num(ahi.1, 2), ahi.0,
            if lo.1 >= 0.7 && clo.1 >= 0.7 && alo.1 >= 0.5 {
                "All constructs meet the usual thresholds (alpha and CR ≥ .70, AVE ≥ .50)."
            } else {
                "Not every construct meets the usual thresholds (alpha and CR ≥ .70, AVE ≥ .50)."
            }
        ));
        s
    }

    fn section_validity(&self) -> Summary {
        let mut s = Summary::new("3. Validity");
        let b = self.kmo.bartlett();
        let msai = self.kmo.msa_items();
        let (mlo, mhi) =
            msai.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |a, &v| (a.0.min(v), a.1.max(v)));
        s.key_values([
            (
                "KMO (overall MSA)".to_string(),
                format!("{} ({})", fmt_num(self.kmo.msa(), 3), KmoFit::label(self.kmo.msa())),
            ),
            ("Item MSA range".to_string(), format!("{} – {}", fmt_num(mlo, 3), fmt_num(mhi, 3))),
            (
                "Bartlett's test".to_string(),
                format!(
                    "χ²({}) = {}, p {}",
                    fmt_num(b.df, 0),
                    fmt_num(b.chisq, 2),
                    fmt_pvalue(b.p_value)
                ),
            ),
        ]);
        let pa = &self.parallel;
        let k = pa.observed_components().len().min(8);
        let mut t = Table::new(
            Some(
                format!(
                    "Parallel analysis ({} simulated data sets, seed {}; eigenvalues)",
                    pa.replications(),
                    self.config.seed
                )
                .as_str(),
            ),
            ["#", "observed PC", "random PC", "observed FA", "random FA"],
        );
        for i in 0..k {
            t.push([
                (i + 1).to_string(),
                fmt_num(pa.observed_components()[i], 3),
                fmt_num(pa.reference_components().get(i).copied(), 3),
                fmt_num(pa.observed_factors().get(i).copied(), 3),
                fmt_num(pa.reference_factors().get(i).copied(), 3),
            ]);
        }
        s.table(t);
        s.text(format!(
            "Parallel analysis suggests {} factors and {} components; the design has {} constructs.",
            pa.n_factors(),
            pa.n_components(),
            self.config.design.constructs.len()
        ));
        // EFA table: factors ordered by construct order
        let order = self.efa_order();
        let mut cols = vec!["item".to_string()];
        for &f in &order {
            cols.push(format!("{} ({})", self.efa.factor_names()[f], self.efa_match[f]));
        }
        cols.push("h2".into());
        let mut t = Table::new(
            Some(
                "EFA pattern loadings (ML, oblimin; |loading| < .30 blank; factors labelled by the construct they match)",
            ),
            cols,
        );
        let l = self.efa.loadings();
        let signs: Vec<f64> = (0..l.ncols()).map(|f| self.efa_sign(f)).collect();
        for (i, it) in self.efa.names().iter().enumerate() {
            let mut row = vec![it.clone()];
            for &f in &order {
                let v = signs[f] * l[[i, f]];
                row.push(if v.abs() < 0.30 { String::new() } else { fmt_num(v, 2) });
            }
            row.push(fmt_num(self.efa.communalities()[i], 2));
            t.push(row);
        }
        s.table(t);
        let phi = self.efa.phi();
        let mut cols = vec![String::new()];
        cols.extend(order.iter().map(|&f| self.efa_match[f].clone()));
        let mut t = Table::new(
            Some("EFA factor correlations (oblimin Φ; factors labelled by construct)"),
            cols,
        );
        for (a, &fa) in order.iter().enumerate() {
            let mut row = vec![self.efa_match[fa].clone()];
            for &fb in order.iter().take(a + 1) {
                row.push(fmt_num(signs[fa] * signs[fb] * phi[[fa, fb]], 2));
            }
            t.push(row);
        }
        s.table(t);
        let fs = self.efa.fit_statistics();
        s.text(format!(
            "EFA fit: χ²({}) = {}, p {}, RMSEA = {} [{}, {}], TLI = {}.",
            fmt_num(fs.dof, 0),
            fmt_num(fs.chisq, 2),
            fmt_pvalue(fs.p_value),
            fmt_num(fs.rmsea, 3),
            fmt_num(fs.rmsea_lower, 3),
            fmt_num(fs.rmsea_upper, 3),
            fmt_num(fs.tli, 3)
        ));
        s.table(fit_table("CFA fit measures (ML)", &self.cfa));
        let mut t = Table::new(
            Some("CFA standardized loadings"),
            ["construct", "item", "estimate", "SE", "z", "p", "std.all"],
        );
        let mut last = String::new();
        for r in self.cfa.parameters().iter().filter(|r| r.op == "=~") {
            t.push([
                if r.lhs != last { r.lhs.clone() } else { String::new() },
                r.rhs.clone(),
                fmt_num(r.est, 3),
                fmt_num(r.se.filter(|v| *v > 0.0), 3),
                fmt_num(r.z, 2),
                fmt_pvalue(r.pvalue),
                fmt_num(r.std_all, 3),
            ]);
            last = r.lhs.clone();
        }
        s.table(t);
        let names = self.fornell_larcker.names();
        let mut cols = vec![String::new()];
        cols.extend(names.iter().cloned());
        let mut t = Table::new(
            Some("Fornell–Larcker criterion (√AVE on the diagonal, latent correlations below)"),
            cols.clone(),
        );
        let fl = self.fornell_larcker.table();
        for i in 0..names.len() {
            let mut row = vec![names[i].clone()];
            for j in 0..names.len() {
                row.push(if j <= i { fmt_num(fl[[i, j]], 3) } else { String::new() });
            }
            t.push(row);
        }
        s.table(t);
        let failing: Vec<&str> = names
            .iter()
            .zip(self.fornell_larcker.pass())
            .filter(|(_, p)| !**p)
            .map(|(n, _)| n.as_str())
            .collect();
        let mut t = Table::new(Some("HTMT (heterotrait–monotrait ratio, geometric means)"), cols);
        let cn: Vec<&str> = self.config.design.constructs.iter().map(|c| c.name.as_str()).collect();
        let mut hmax: f64 = 0.0;
        for i in 0..cn.len() {
            let mut row = vec![cn[i].to_string()];
            for j in 0..cn.len() {
                if j < i {
                    hmax = hmax.max(self.htmt[[i, j]]);
                }
                row.push(if j < i { fmt_num(self.htmt[[i, j]], 3) } else { String::new() });
            }
            t.push(row);
        }
        s.table(t);
        s.text(format!(
            "Discriminant validity: {}; the largest HTMT is {} ({} .85).",
            if failing.is_empty() {
                "every construct's √AVE exceeds its correlations with the others (Fornell–Larcker)"
                    .to_string()
            } else {
                format!("the Fornell–Larcker criterion fails for {}", failing.join(", "))
            },
            fmt_num(hmax, 3),
            if hmax < 0.85 { "below" } else { "not below" }
        ));
        self.method_bias_table(&mut s);
        s
    }

    /// Harman's single-factor test and the common-latent-factor comparison.
    fn method_bias_table(&self, s: &mut Summary) {
        let mut t = Table::new(Some("Common method bias"), ["check", "result"]);
        match &self.harman {
            Ok(h) => {
                t.push([
                    "Harman: first unrotated component".to_string(),
                    format!("{}% of the variance", fmt_num(100.0 * h.pca_share(), 1)),
                ]);
                t.push([
                    "Harman: one unrotated factor (minres)".to_string(),
                    format!("{}% of the variance", fmt_num(100.0 * h.fa_share(), 1)),
                ]);
            }
            Err(e) => {
                t.push(["Harman's single-factor test".to_string(), format!("not computed: {e}")])
            }
        }
        match &self.method_factor {
            Ok(m) => {
                let d = &m.difference;
                t.push([
                    "CLF (equal loadings): chi-square difference".to_string(),
                    format!(
                        "{} on {} df, p {}",
                        fmt_num(d.chisq, 3),
                        fmt_num(d.df, 0),
                        fmt_pvalue(Some(d.pvalue))
                    ),
                ]);
                t.push(["CLF: change in CFI".to_string(), fmt_num(m.delta_cfi, 4)]);
                t.push([
                    "CLF: method variance share (mean squared std. loading)".to_string(),
                    format!("{}%", fmt_num(100.0 * m.method_share, 2)),
                ]);
            }
            Err(e) => t.push(["Common latent factor".to_string(), format!("not computed: {e}")]),
        }
        s.table(t);
    }

    fn efa_order(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.efa_match.len()).collect();
        let pos = |c: &str| {
            self.config.design.constructs.iter().position(|x| x.name == c).unwrap_or(usize::MAX)
        };
        order.sort_by_key(|&f| (pos(&self.efa_match[f]), f));
        order
    }

    fn efa_sign(&self, f: usize) -> f64 {
        let l = self.efa.loadings();
        let names = self.efa.names();
        let Some(c) = self.config.design.constructs.iter().find(|c| c.name == self.efa_match[f])
        else {
            return 1.0;
        };
        let s: f64 = c
            .items
            .iter()
            .filter_map(|it| names.iter().position(|n| n == it))
            .map(|i| l[[i, f]])
            .sum();
        if s < 0.0 { -1.0 } else { 1.0 }
    }

    fn section_structural(&self) -> Summary {
        let mut s = Summary::new("4. Structural model and hypotheses");
        let mut t = Table::new(
            Some(
                "Hypotheses (β = standardized coefficient, std.all; supported = expected sign and p < .05)",
            ),
            ["hypothesis", "path", "expected", "β", "estimate", "SE", "z", "p", "supported"],
        );
        for h in &self.hypotheses {
            let hy = &h.hypothesis;
            let r = h.row.as_ref();
            t.push([
                hy.id.clone(),
                format!("{} → {}", hy.from, hy.to),
                hy.sign.symbol().to_string(),
                format!(
                    "{}{}",
                    fmt_num(h.beta(), 3),
                    signif_stars(r.and_then(|r| r.pvalue)).trim_end_matches('.').trim()
                ),
                fmt_num(r.map(|r| r.est), 3),
                fmt_num(r.and_then(|r| r.se), 3),
                fmt_num(r.and_then(|r| r.z), 2),
                fmt_pvalue(r.and_then(|r| r.pvalue)),
                if r.is_none() {
                    "not in model".into()
                } else if h.supported {
                    "yes".into()
                } else {
                    "no".to_string()
                },
            ]);
        }
        s.table(t);
        let mut t = Table::new(Some("R² of the endogenous constructs"), ["construct", "R²"]);
        for (k, v) in self.r_squared_constructs() {
            t.push([k, fmt_num(v, 3)]);
        }
        s.table(t);
        s.table(fit_table("Structural model fit measures (ML)", &self.sem));
        let n_sup = self.hypotheses.iter().filter(|h| h.supported).count();
        let not: Vec<&str> = self
            .hypotheses
            .iter()
            .filter(|h| !h.supported)
            .map(|h| h.hypothesis.id.as_str())
            .collect();
        let mut sentence =
            format!("{} of {} hypotheses are supported.", n_sup, self.hypotheses.len());
        if !not.is_empty() {
            sentence.push_str(&format!(" Not supported: {}.", not.join(", ")));
        }
        s.text(sentence);
        s
    }

    fn section_mediation(&self) -> Summary {
        let mut s = Summary::new("5. Mediation: indirect effects of ST on RS");
        let lvl = format!("{:.0}%", 100.0 * self.config.ci_level);
        let mut t = Table::new(
            Some(
                format!(
                    "Indirect effects (delta method and bootstrap, {} replications, seed {})",
                    self.config.bootstrap, self.config.seed
                )
                .as_str(),
            ),
            [
                "effect".to_string(),
                "estimate".into(),
                "std.all".into(),
                "SE (delta)".into(),
                "p".into(),
                format!("{lvl} CI (delta)"),
                "SE (boot)".into(),
                format!("{lvl} CI (percentile)"),
                format!("{lvl} CI (BCa)"),
            ],
        );
        let ci = |i: Option<Interval>| match i {
            Some(i) => format!("[{}, {}]", fmt_num(i.lower, 4), fmt_num(i.upper, 4)),
            None => "NA".into(),
        };
        for m in &self.mediation {
            let r = m.row.as_ref();
            t.push([
                m.effect.path.clone(),
                fmt_num(r.map(|r| r.est), 4),
                fmt_num(r.and_then(|r| r.std_all), 4),
                fmt_num(r.and_then(|r| r.se), 4),
                fmt_pvalue(r.and_then(|r| r.pvalue)),
                format!(
                    "[{}, {}]",
                    fmt_num(r.and_then(|r| r.ci_lower), 4),
                    fmt_num(r.and_then(|r| r.ci_upper), 4)
                ),
                fmt_num(m.boot_se, 4),
                ci(m.percentile),
                ci(m.bca),
            ]);
        }
        s.table(t);
        match &self.bootstrap {
            Some(b) => {
                let sig: Vec<&str> = self
                    .mediation
                    .iter()
                    .filter(|m| m.bca.is_some_and(|i| i.lower > 0.0 || i.upper < 0.0))
                    .map(|m| m.effect.path.as_str())
                    .collect();
                s.text(format!(
                    "Bootstrap: {} of {} replications succeeded ({} failed: not converged or not positive definite); \
                     every replication refits the whole SEM on resampled respondents.\n\
                     BCa intervals excluding 0: {}.",
                    b.n_used(),
                    b.n_requested(),
                    b.n_requested() - b.n_used(),
                    if sig.is_empty() { "none".to_string() } else { sig.join("; ") }
                ));
            }
            None => {
                s.text("Bootstrap switched off (0 replications): delta-method intervals only.");
            }
        }
        s
    }

    fn section_ols(&self) -> Summary {
        let o = &self.ols;
        let mut s = Summary::new(format!(
            "6. Regression check: OLS of the {} composite on the other composites",
            self.config.design.outcome
        ));
        let mut t = Table::new(
            Some("Coefficients (HC3 robust standard errors; β = standardized coefficient)"),
            ["term", "b", "SE (HC3)", "t", "p", "SE (classical)", "β", "VIF"],
        );
        let off = usize::from(o.has_intercept());
        let classical = o.cov_unscaled().diag().mapv(|v| (v * o.sigma() * o.sigma()).sqrt());
        for (k, term) in o.terms().iter().enumerate() {
            t.push([
                term.clone(),
                fmt_num(o.coefficients()[k], 4),
                fmt_num(o.std_errors()[k], 4),
                fmt_num(o.t_values()[k], 2),
                fmt_pvalue(o.p_values()[k]),
                fmt_num(classical.get(k).copied(), 4),
                if k < off {
                    String::new()
                } else {
                    fmt_num(o.std_coefficients().get(k - off).copied(), 3)
                },
                if k < off { String::new() } else { fmt_num(o.vif().get(k - off).copied(), 2) },
            ]);
        }
        s.table(t);
        let f = o.f_test();
        let bp = o.breusch_pagan();
        s.key_values([
            (
                "R² / adjusted R²".to_string(),
                format!("{} / {}", fmt_num(o.r_squared(), 3), fmt_num(o.adj_r_squared(), 3)),
            ),
            (
                "F test".to_string(),
                match f {
                    Some(f) => format!(
                        "F({}, {}) = {}, p {}",
                        fmt_num(f.df1, 0),
                        fmt_num(f.df2, 0),
                        fmt_num(f.value, 2),
                        fmt_pvalue(f.p_value)
                    ),
                    None => "NA".into(),
                },
            ),
            (
                "Residual SE".to_string(),
                format!("{} on {} df", fmt_num(o.sigma(), 4), o.df_residual()),
            ),
            ("Durbin–Watson".to_string(), fmt_num(o.durbin_watson(), 3)),
            (
                "Breusch–Pagan (studentized)".to_string(),
                format!(
                    "{} on {} df, p {}",
                    fmt_num(bp.statistic, 2),
                    fmt_num(bp.df, 0),
                    fmt_pvalue(bp.p_value)
                ),
            ),
        ]);
        s.text("Composites are item means. The regression ignores measurement error and mixes direct and indirect\n\
                paths, so its coefficients are a robustness check of the signs, not estimates of the structural paths.");
        s
    }

    fn section_groups(&self) -> Summary {
        let mut s = Summary::new("7. Comparison of the regions");
        if self.group_fits.is_empty() {
            s.text("No grouping column in the data: no group comparison.");
            return s;
        }
        let metric = self.invariance.as_ref().and_then(|i| i.metric().ok());
        let fit_line = |fm: &dyn Fn(&str) -> Option<f64>| {
            format!(
                "χ²({}) = {}, CFI = {}, TLI = {}, RMSEA = {}, SRMR = {}",
                fmt_num(fm("df"), 0),
                fmt_num(fm("chisq"), 2),
                fmt_num(fm("cfi"), 3),
                fmt_num(fm("tli"), 3),
                fmt_num(fm("rmsea"), 3),
                fmt_num(fm("srmr"), 3)
            )
        };
        match metric {
            Some(m) if m.groups().len() == 2 => {
                let mut cols = vec!["hypothesis".to_string(), "path".into()];
                for g in m.groups() {
                    cols.push(format!("β {} (n = {})", g.name(), g.n_obs()));
                }
                cols.extend(["Δb".to_string(), "z (Δb)".into(), "p (Δb)".into()]);
                let mut t = Table::new(
                    Some(
                        "Structural paths by region in the multi-group model with equal loadings (β = std.all with stars; Δb = difference of the unstandardized paths, Wald test from the joint model)",
                    ),
                    cols,
                );
                for h in &self.hypotheses {
                    let hy = &h.hypothesis;
                    let mut row = vec![hy.id.clone(), format!("{} → {}", hy.from, hy.to)];
                    for g in m.groups() {
                        let r = g.parameter(&hy.to, "~", &hy.from);
                        row.push(format!(
                            "{}{}",
                            fmt_num(r.and_then(|r| r.std_all), 3),
                            signif_stars(r.and_then(|r| r.pvalue)).trim_end_matches('.').trim()
                        ));
                    }
                    match m.group_difference(&hy.to, "~", &hy.from, 0, 1) {
                        Some(d) => {
                            row.push(fmt_num(d.difference, 3));
                            row.push(fmt_num(d.z, 2));
                            row.push(fmt_pvalue(d.pvalue));
                        }
                        None => row.extend(["NA".to_string(), "NA".into(), "NA".into()]),
                    }
                    t.push(row);
                }
                s.table(t);
            }
            _ => {
                let mut cols = vec!["hypothesis".to_string(), "path".into()];
                for g in &self.group_fits {
                    cols.push(format!("β {} (n = {})", g.group, g.n));
                }
                let mut t = Table::new(
                    Some("Structural paths fitted separately per region (β = std.all with stars)"),
                    cols,
                );
                for h in &self.hypotheses {
                    let hy = &h.hypothesis;
                    let mut row = vec![hy.id.clone(), format!("{} → {}", hy.from, hy.to)];
                    for g in &self.group_fits {
                        let r =
                            g.fit.as_ref().ok().and_then(|f| f.parameter(&hy.to, "~", &hy.from));
                        row.push(match r {
                            Some(r) => format!(
                                "{}{}",
                                fmt_num(r.std_all, 3),
                                signif_stars(r.pvalue).trim_end_matches('.').trim()
                            ),
                            None => "NA".into(),
                        });
                    }
                    t.push(row);
                }
                s.table(t);
            }
        }
        let mut kv = Vec::new();
        if let Some(inv) = &self.invariance {
            for (name, fit) in [("configural", inv.configural()), ("equal loadings", inv.metric())]
            {
                kv.push((
                    format!("Multi-group model, {name}"),
                    match fit {
                        Ok(f) => fit_line(&|k| f.fit_measure(k)),
                        Err(e) => format!("not fitted: {e}"),
                    },
                ));
            }
            if let (Some(l), Ok(c), Ok(m)) = (inv.lrt(), inv.configural(), inv.metric()) {
                let dcfi = m.fit_measure("cfi").unwrap_or(f64::NAN)
                    - c.fit_measure("cfi").unwrap_or(f64::NAN);
                kv.push((
                    "Metric invariance (equal loadings vs configural)".into(),
                    format!(
                        "Δχ²({}) = {}, p = {}, ΔCFI = {}",
                        fmt_num(l.df, 0),
                        fmt_num(l.chisq, 2),
                        fmt_pvalue(l.pvalue),
                        fmt_num(dcfi, 3)
                    ),
                ));
            }
        }
        for g in &self.group_fits {
            kv.push((
                format!("Separate fit, {} (n = {})", g.group, g.n),
                match &g.fit {
                    Ok(f) => fit_line(&|k| f.fit_measure(k)),
                    Err(e) => format!("not fitted: {e}"),
                },
            ));
        }
        s.key_values(kv);
        s.text(
            "The multi-group model (lavaan `group = \"region\"`) is fitted configural and with equal loadings;\n\
             a non-significant Δχ² (and |ΔCFI| ≤ 0.01) supports metric invariance, which makes the paths of the two\n\
             regions comparable. Path differences are Wald tests in the equal-loadings model; the structural paths\n\
             are unlabelled there so that they are free in each region.",
        );
        s
    }
}

fn min_max<'a>(it: impl Iterator<Item = (&'a str, f64)>) -> ((&'a str, f64), (&'a str, f64)) {
    let mut lo = ("", f64::INFINITY);
    let mut hi = ("", f64::NEG_INFINITY);
    for (c, v) in it {
        if v < lo.1 {
            lo = (c, v);
        }
        if v > hi.1 {
            hi = (c, v);
        }
    }
    (lo, hi)
}

fn fit_table(title: &str, f: &SemFit) -> Table {
    let mut t =
        Table::new(Some(title), ["χ²", "df", "p", "CFI", "TLI", "RMSEA", "RMSEA 90% CI", "SRMR"]);
    let m = |k: &str| f.fit_measure(k);
    t.push([
        fmt_num(m("chisq"), 2),
        fmt_num(m("df"), 0),
        fmt_pvalue(m("pvalue")),
        fmt_num(m("cfi"), 3),
        fmt_num(m("tli"), 3),
        fmt_num(m("rmsea"), 3),
        format!("[{}, {}]", fmt_num(m("rmsea.ci.lower"), 3), fmt_num(m("rmsea.ci.upper"), 3)),
        fmt_num(m("srmr"), 3),
    ]);
    t
}

impl fmt::Display for StudyResults {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Results — {}", self.config.design.title)?;
        writeln!(f)?;
        for s in self.sections() {
            writeln!(f, "{}", "=".repeat(unicode_width::UnicodeWidthStr::width(s.title.as_str())))?;
            write!(f, "{s}")?;
            writeln!(f)?;
        }
        Ok(())
    }
}
