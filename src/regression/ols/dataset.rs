//! [`Ols::fit_dataset`]: the model matrix of a formula, weights and clusters.

#[allow(unused_imports)]
use super::*;

impl Ols {
    /// Fit the formula given to [`Ols::from_formula`] on the columns of a dataset.
    ///
    /// # Errors
    /// As [`Ols::fit`], plus [`Error::UnknownVariable`] (a name not in the dataset),
    /// [`Error::NonNumericColumn`] (a text column used in the model),
    /// [`Error::InvalidParameter`] (no formula was given, or the response is also a predictor).
    pub fn fit_dataset(&self, data: &Dataset) -> Result<OlsFit> {
        self.check_options()?;
        let f = self
            .formula
            .as_ref()
            .ok_or_else(|| Error::invalid("formula", "fit_dataset needs Ols::from_formula"))?;
        let wts: Option<Vec<f64>> = match &self.weights {
            Some(name) => Some(data.column(name)?.to_vec()),
            None => None,
        };
        let (codes, n_groups) = match &self.cluster {
            Some(name) => {
                let labels = data.labels(name)?;
                let mut seen: Vec<String> = Vec::new();
                let codes: Vec<f64> = labels
                    .iter()
                    .map(|l| {
                        let t = l.trim();
                        if t.is_empty() || t == "NA" || t == "NaN" {
                            return f64::NAN;
                        }
                        match seen.iter().position(|s| s == t) {
                            Some(k) => k as f64,
                            None => {
                                seen.push(t.to_string());
                                (seen.len() - 1) as f64
                            }
                        }
                    })
                    .collect();
                (Some(codes), seen.len())
            }
            None => (None, 0),
        };
        let mut extras: Vec<&[f64]> = Vec::new();
        if let Some(w) = &wts {
            extras.push(w);
        }
        if let Some(c) = &codes {
            extras.push(c);
        }
        let mut mm = design::build(f, data, &extras)?;
        let mut warnings = Vec::new();
        let n_complete = mm.rows.len();
        // Weights: negative is an error, zero leaves the row out of the fit.
        let mut sqrt_w: Option<Vec<f64>> = None;
        if let Some(w) = &wts {
            for &r in &mm.rows {
                if w[r] < 0.0 {
                    return Err(Error::invalid(
                        "weights",
                        format!(
                            "column `{}` has a negative weight {} in row {}",
                            self.weights.as_deref().unwrap_or(""),
                            w[r],
                            r + 1
                        ),
                    ));
                }
                if w[r].is_infinite() {
                    return Err(Error::NonFinite { what: format!("weight in row {}", r + 1) });
                }
            }
            let keep: Vec<usize> = (0..mm.rows.len()).filter(|&i| w[mm.rows[i]] > 0.0).collect();
            if keep.len() < mm.rows.len() {
                warnings.push(Warning::Other {
                    message: format!(
                        "{} row(s) with weight zero left out of the fit",
                        mm.rows.len() - keep.len()
                    ),
                });
                mm.x = mm.x.select(Axis(0), &keep);
                mm.y = keep.iter().map(|&i| mm.y[i]).collect();
                mm.rows = keep.iter().map(|&i| mm.rows[i]).collect();
            }
            sqrt_w = Some(mm.rows.iter().map(|&r| w[r].sqrt()).collect());
        }
        let groups: Option<Vec<usize>> =
            codes.as_ref().map(|c| mm.rows.iter().map(|&r| c[r] as usize).collect());
        if let Some(g) = &groups {
            let mut distinct: Vec<usize> = g.clone();
            distinct.sort_unstable();
            distinct.dedup();
            if distinct.len() < 2 {
                return Err(Error::invalid(
                    "cluster",
                    format!(
                        "column `{}` has {} cluster(s) among the rows used; cluster-robust covariances need at least two",
                        self.cluster.as_deref().unwrap_or(""),
                        distinct.len()
                    ),
                ));
            }
        }
        let dropped = data.n_rows() - mm.rows.len();
        if n_complete < data.n_rows() {
            warnings.insert(
                0,
                Warning::RowsDropped { dropped: data.n_rows() - n_complete, remaining: n_complete },
            );
        }
        let resp = f.response.label();
        let labels = mm.spec.term_labels();
        let formula = format!(
            "{resp} ~ {}{}",
            if f.intercept { "" } else { "0 + " },
            if labels.is_empty() { "1".to_string() } else { labels.join(" + ") }
        );
        let cluster_se = matches!(self.se_type, SeType::ClusterHc0 | SeType::ClusterHc1);
        if cluster_se && groups.is_none() {
            return Err(Error::invalid(
                "se_type",
                "cluster-robust standard errors need Ols::cluster",
            ));
        }
        // The full model matrix (intercept column first), weighted by √w.
        let n = mm.rows.len();
        let off = usize::from(f.intercept);
        let pfull = mm.x.ncols() + off;
        let mut xfull = Array2::<f64>::zeros((n, pfull));
        for i in 0..n {
            let s = sqrt_w.as_ref().map_or(1.0, |w| w[i]);
            if off == 1 {
                xfull[[i, 0]] = s;
            }
            for j in 0..mm.x.ncols() {
                xfull[[i, j + off]] = mm.x[[i, j]] * s;
            }
        }
        let yfull: Array1<f64> = match &sqrt_w {
            Some(w) => mm.y.iter().zip(w).map(|(a, b)| a * b).collect(),
            None => Array1::from(mm.y.clone()),
        };
        let mut names_full: Vec<String> = Vec::with_capacity(pfull);
        let mut assign: Vec<Option<usize>> = Vec::with_capacity(pfull);
        if off == 1 {
            names_full.push("(Intercept)".into());
            assign.push(None);
        }
        names_full.extend(mm.spec.names.iter().cloned());
        assign.extend(mm.spec.assign.iter().map(|&a| Some(a)));
        let table_se = if cluster_se { SeType::Classical } else { self.se_type };
        let mut fit = if sqrt_w.is_some() {
            let this = Self { intercept: false, se_type: table_se, ..self.clone() };
            let mut fit = this.fit_complete(
                xfull.view(),
                (0..pfull).collect(),
                names_full.clone(),
                yfull.to_vec(),
                resp,
                formula,
                warnings,
                dropped,
                None,
            )?;
            fit.reweight(sqrt_w.as_deref().unwrap_or(&[]), &mm.y, f.intercept);
            fit
        } else {
            let this = Self { intercept: f.intercept, se_type: table_se, ..self.clone() };
            let k = mm.x.ncols();
            this.fit_complete(
                mm.x.view(),
                (0..k).collect(),
                mm.spec.names.clone(),
                mm.y.clone(),
                resp,
                formula,
                warnings,
                dropped,
                None,
            )?
        };
        fit.config = self.clone();
        fit.design = Some(mm.spec);
        fit.model = Some(ModelData { x: xfull, y: yfull, sqrt_w, names: names_full, assign });
        if let Some(g) = &groups {
            let cols = fit.kept_columns();
            let (x, _) = fit.model_matrix().ok_or_else(|| Error::invalid("cluster", "no model"))?;
            let xs = x.select(Axis(1), &cols);
            let e = fit.weighted_residuals();
            let (c0, c1) = inference::cluster_vcov(&xs, &e, g, n_groups, &fit.xtx_inv);
            fit.cluster = Some(ClusterCov {
                hc0: c0,
                hc1: c1,
                n_clusters: {
                    let mut d = g.clone();
                    d.sort_unstable();
                    d.dedup();
                    d.len()
                },
            });
        }
        fit.se_type = self.se_type;
        fit.fill_table()?;
        Ok(fit)
    }
}
