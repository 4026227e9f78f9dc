//! The fitted α: accessors, the printable summary.

use super::*;

/// The fitted result of [`Alpha`]: the scale statistics, two confidence intervals, item rows
/// and warnings, with psych 2.2.9's conventions.
///
/// Validated against R psych 2.2.9 `alpha()` on HolzingerSwineford1939 x1–x3 and x4–x6, bfi
/// C1–C5 (C4, C5 reversed; listwise and with missing values) and the seven scales of the study
/// survey: every statistic agrees to a relative error ≤ 1e-10.
#[derive(Debug, Clone, PartialEq)]
pub struct AlphaFit {
    pub(super) config: Alpha,
    pub(super) raw_alpha: f64,
    pub(super) std_alpha: f64,
    pub(super) g6: f64,
    pub(super) average_r: f64,
    pub(super) median_r: f64,
    pub(super) signal_noise: f64,
    pub(super) ase: f64,
    pub(super) mean: Option<f64>,
    pub(super) sd: Option<f64>,
    pub(super) unidim: f64,
    pub(super) fit_off: f64,
    pub(super) var_r: Option<f64>,
    pub(super) n_obs: usize,
    pub(super) n_rows: usize,
    pub(super) n_complete: usize,
    pub(super) feldt: ConfidenceInterval,
    pub(super) duhachek: ConfidenceInterval,
    pub(super) items: Vec<AlphaItem>,
    pub(super) cov: Array2<f64>,
    pub(super) cor: Array2<f64>,
    pub(super) pair_counts: Option<Array2<usize>>,
    pub(super) response_frequencies: Option<ResponseFrequencies>,
    pub(super) from_cov: bool,
    pub(super) warnings: Vec<Warning>,
}

impl AlphaFit {
    /// Cronbach's α from the covariances (psych `raw_alpha`).
    pub fn raw_alpha(&self) -> f64 {
        self.raw_alpha
    }
    /// Standardized α from the correlations (psych `std.alpha`).
    pub fn std_alpha(&self) -> f64 {
        self.std_alpha
    }
    /// Guttman's λ6 with squared multiple correlations (psych `G6(smc)`).
    pub fn g6(&self) -> f64 {
        self.g6
    }
    /// Average inter-item correlation (psych `average_r`).
    pub fn average_r(&self) -> f64 {
        self.average_r
    }
    /// Median inter-item correlation (psych `median_r`).
    pub fn median_r(&self) -> f64 {
        self.median_r
    }
    /// Signal/noise ratio `k r̄ / (1 − r̄)` (psych `S/N`).
    pub fn signal_noise(&self) -> f64 {
        self.signal_noise
    }
    /// Standard error of raw α (Duhachek & Iacobucci; psych `ase`).
    pub fn ase(&self) -> f64 {
        self.ase
    }
    /// Mean of the total score = person mean over answered items (`None` from a covariance).
    pub fn mean(&self) -> Option<f64> {
        self.mean
    }
    /// Standard deviation (divisor n − 1) of the total score (`None` from a covariance).
    pub fn sd(&self) -> Option<f64> {
        self.sd
    }
    /// psych's `Unidim`: `1 − Σ(R − r̄)² / ΣR²` over all elements.
    pub fn unidim(&self) -> f64 {
        self.unidim
    }
    /// psych's `Fit.off`: `1 − Σ_{i≠j}(r_ij − r̄)² / Σ_{i≠j}(1 − r_ij)²` (as psych 2.2.9 computes
    /// it).
    pub fn fit_off(&self) -> f64 {
        self.fit_off
    }
    /// Variance of the inter-item correlations (psych `var.r`); `None` for two items.
    pub fn var_r(&self) -> Option<f64> {
        self.var_r
    }
    /// N used for the standard error and the Feldt interval: all rows (pairwise), the complete
    /// rows (listwise), or the given `n_obs` (covariance input).
    pub fn n_obs(&self) -> usize {
        self.n_obs
    }
    /// Number of rows given.
    pub fn n_rows(&self) -> usize {
        self.n_rows
    }
    /// Number of rows without any missing item.
    pub fn n_complete(&self) -> usize {
        self.n_complete
    }
    /// Number of items analysed (zero-variance items excluded).
    pub fn n_items(&self) -> usize {
        self.items.len()
    }
    /// Feldt's interval at the configured level (psych `feldt`).
    pub fn feldt_ci(&self) -> ConfidenceInterval {
        self.feldt
    }
    /// Duhachek's interval `α ± z · ase` at the configured level, with the exact normal quantile
    /// (psych prints it with z = 1.96).
    pub fn duhachek_ci(&self) -> ConfidenceInterval {
        self.duhachek
    }
    /// Item rows in the order of the input columns.
    pub fn items(&self) -> &[AlphaItem] {
        &self.items
    }
    /// The item covariance matrix used (after reverse keying; pairwise or listwise).
    pub fn covariance(&self) -> &Array2<f64> {
        &self.cov
    }
    /// The item correlation matrix used.
    pub fn correlation(&self) -> &Array2<f64> {
        &self.cor
    }
    /// Number of rows behind each covariance (`None` from a covariance matrix).
    pub fn pair_counts(&self) -> Option<&Array2<usize>> {
        self.pair_counts.as_ref()
    }
    /// Share of each answer value per item (psych's response frequencies, on the values as
    /// analysed, i.e. after reverse keying); `None` from a covariance matrix or when the items
    /// have more than 10 distinct values.
    pub fn response_frequencies(&self) -> Option<&ResponseFrequencies> {
        self.response_frequencies.as_ref()
    }
    /// Whether the fit came from a covariance matrix ([`Alpha::fit_cov`]).
    pub fn is_from_cov(&self) -> bool {
        self.from_cov
    }
    /// The configuration that produced this fit.
    pub fn config(&self) -> &Alpha {
        &self.config
    }
    /// Warnings: negative item–rest correlations, fewer than three items, zero-variance items,
    /// dropped rows.
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// A printable summary in the manner of psych's `print(alpha(...))`: the header statistics,
    /// the Feldt and Duhachek intervals, "Reliability if an item is dropped", "Item statistics",
    /// the response frequencies (when computed) and the warnings. Reversed items are marked with
    /// a trailing `-`, as psych does.
    ///
    /// # Examples
    /// ```
    /// use ndarray::array;
    /// use surveystat::reliability::Alpha;
    /// let x = array![[1.0, 2.0, 2.0], [2.0, 3.0, 3.0], [4.0, 4.0, 5.0], [3.0, 3.0, 3.0], [5.0, 4.0, 4.0]];
    /// let text = Alpha::new().fit(&x).unwrap().summary().to_string();
    /// assert!(text.contains("Reliability if an item is dropped"));
    /// assert!(text.contains("Feldt"));
    /// ```
    pub fn summary(&self) -> Summary {
        let mut s = Summary::new("Reliability analysis (Cronbach's alpha)");
        let miss = match self.config.missing {
            Missing::Pairwise => "pairwise",
            Missing::Listwise => "listwise",
        };
        let names: Vec<String> = self.items.iter().map(label).collect();
        s.text(format!(
            "Items: {}\nN = {}{}",
            names.join(", "),
            self.n_obs,
            if self.from_cov {
                " (from a covariance matrix)".to_string()
            } else {
                format!(" rows, {} complete; missing values: {miss}", self.n_complete)
            }
        ));
        let mut head = Table::new(
            None,
            [
                "raw_alpha",
                "std.alpha",
                "G6(smc)",
                "average_r",
                "S/N",
                "ase",
                "mean",
                "sd",
                "median_r",
            ],
        );
        head.align = vec![Align::Right; 9];
        head.push([
            fmt_num(self.raw_alpha, 3),
            fmt_num(self.std_alpha, 3),
            fmt_num(self.g6, 3),
            fmt_num(self.average_r, 3),
            fmt_num(self.signal_noise, 2),
            fmt_num(self.ase, 4),
            fmt_num(self.mean, 2),
            fmt_num(self.sd, 2),
            fmt_num(self.median_r, 3),
        ]);
        s.table(head);
        let lvl = format!("{}% confidence boundaries", fmt_level(self.config.ci_level));
        let mut ci = Table::new(Some(&lvl), ["", "lower", "alpha", "upper"]);
        for (name, c) in [("Feldt", self.feldt), ("Duhachek", self.duhachek)] {
            ci.push([
                name.to_string(),
                fmt_num(c.lower, 3),
                fmt_num(self.raw_alpha, 3),
                fmt_num(c.upper, 3),
            ]);
        }
        s.table(ci);
        if self.items.iter().all(|i| i.if_dropped.is_some()) {
            let mut t = Table::new(
                Some("Reliability if an item is dropped:"),
                [
                    "",
                    "raw_alpha",
                    "std.alpha",
                    "G6(smc)",
                    "average_r",
                    "S/N",
                    "alpha se",
                    "var.r",
                    "med.r",
                ],
            );
            for it in &self.items {
                if let Some(d) = &it.if_dropped {
                    t.push([
                        label(it),
                        fmt_num(d.raw_alpha, 3),
                        fmt_num(d.std_alpha, 3),
                        fmt_num(d.g6, 3),
                        fmt_num(d.average_r, 3),
                        fmt_num(d.s_n, 2),
                        fmt_num(d.alpha_se, 4),
                        fmt_num(d.var_r, 4),
                        fmt_num(d.med_r, 3),
                    ]);
                }
            }
            s.table(t);
        }
        let mut t = Table::new(
            Some("Item statistics"),
            ["", "n", "raw.r", "std.r", "r.cor", "r.drop", "mean", "sd"],
        );
        for it in &self.items {
            t.push([
                label(it),
                it.n.map_or("NA".to_string(), |n| n.to_string()),
                fmt_num(it.raw_r, 3),
                fmt_num(it.std_r, 3),
                fmt_num(it.r_cor, 3),
                fmt_num(it.r_drop, 3),
                fmt_num(it.mean, 2),
                fmt_num(it.sd, 2),
            ]);
        }
        s.table(t);
        if let Some(fr) = &self.response_frequencies {
            let mut cols = vec![String::new()];
            cols.extend(fr.values.iter().map(|v| format!("{v}")));
            cols.push("miss".into());
            let mut t = Table::new(Some("Non missing response frequency for each item"), cols);
            for (r, it) in self.items.iter().enumerate() {
                let mut row = vec![label(it)];
                row.extend(fr.proportions.row(r).iter().map(|p| fmt_num(*p, 2)));
                row.push(fmt_num(fr.missing[r], 2));
                t.push(row);
            }
            s.table(t);
        }
        if !self.warnings.is_empty() {
            let w: Vec<String> = self.warnings.iter().map(|w| format!("  - {w}")).collect();
            s.text(format!("Warnings:\n{}", w.join("\n")));
        }
        s
    }
}

impl std::fmt::Display for AlphaFit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.summary())
    }
}

fn label(it: &AlphaItem) -> String {
    if it.reversed { format!("{}-", it.item) } else { it.item.clone() }
}

fn fmt_level(level: f64) -> String {
    let pct = level * 100.0;
    if (pct - pct.round()).abs() < 1e-9 {
        format!("{}", pct.round() as i64)
    } else {
        format!("{pct}")
    }
}
