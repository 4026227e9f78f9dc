//! `Serialize` of the reliability fits: the JSON objects of `surveystat alpha`, `omega` and
//! `icc` (docs/json.md).

use serde::{Serialize, Serializer};
use serde_json::{Value, json};

use super::{AlphaFit, ConfidenceInterval, IccFit, OmegaFit, ScoreItemsFit};
use crate::serialize::{matrix, num, opt, slice, vector, via_value, warnings};

fn ci(i: &ConfidenceInterval) -> Value {
    json!({"level": num(i.level), "lower": num(i.lower), "upper": num(i.upper)})
}

/// psych::alpha's fields in snake case (DESIGN.md): `raw_alpha`, `std_alpha`, `g6`,
/// `average_r`, `s_n`, `ase`, `mean`, `sd`, `median_r`, `n_obs`, the Feldt `ci`, the
/// `duhachek_ci`, the `items` table (alpha if dropped and item–total correlations) and
/// `warnings`.
impl Serialize for AlphaFit {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let items: Vec<Value> = self
            .items()
            .iter()
            .map(|it| {
                let d = it.if_dropped.as_ref();
                json!({
                    "item": it.item,
                    "raw_alpha": opt(d.map(|d| d.raw_alpha)),
                    "std_alpha": opt(d.map(|d| d.std_alpha)),
                    "g6": opt(d.map(|d| d.g6)),
                    "average_r": opt(d.map(|d| d.average_r)),
                    "n": it.n,
                    "raw_r": opt(it.raw_r),
                    "std_r": num(it.std_r),
                    "r_cor": num(it.r_cor),
                    "r_drop": num(it.r_drop),
                    "mean": opt(it.mean),
                    "sd": opt(it.sd),
                })
            })
            .collect();
        via_value(
            json!({
                "raw_alpha": num(self.raw_alpha()),
                "std_alpha": num(self.std_alpha()),
                "g6": num(self.g6()),
                "average_r": num(self.average_r()),
                "s_n": num(self.signal_noise()),
                "ase": num(self.ase()),
                "mean": opt(self.mean()),
                "sd": opt(self.sd()),
                "median_r": num(self.median_r()),
                "n_obs": self.n_obs(),
                "ci": ci(&self.feldt_ci()),
                "duhachek_ci": ci(&self.duhachek_ci()),
                "items": items,
                "warnings": warnings(self.warnings()),
            }),
            s,
        )
    }
}

/// psych::omega's fields: `items`, `omega_h`, `omega_lim`, `omega_tot`, `alpha`, `g6`, `ecv`,
/// `key`, `schmid` {g, groups, h2, u2, p2, gloading}, `omega_group` and `warnings`.
impl Serialize for OmegaFit {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let sl = self.schmid();
        via_value(
            json!({
                "items": self.names(),
                "omega_h": num(self.omega_h()),
                "omega_lim": num(self.omega_limit()),
                "omega_tot": num(self.omega_total()),
                "alpha": num(self.alpha()),
                "g6": num(self.g6()),
                "ecv": num(self.ecv()),
                "key": self.key(),
                "schmid": {
                    "g": vector(sl.general()),
                    "groups": matrix(sl.group()),
                    "h2": vector(sl.communalities()),
                    "u2": vector(sl.uniquenesses()),
                    "p2": vector(sl.p2()),
                    "gloading": vector(sl.second_order()),
                },
                "omega_group": self.subscales().iter().map(|g| json!({
                    "name": g.name, "items": g.items, "total": num(g.total),
                    "general": num(g.general), "group": num(g.group),
                })).collect::<Vec<_>>(),
                "warnings": warnings(self.warnings()),
            }),
            s,
        )
    }
}

/// psych::ICC's fields: `n_obs`, `n_judge`, `ci_level`, `results` (one row per Shrout–Fleiss
/// type: `type`, `icc`, `f`, `df1`, `df2`, `p`, `lower`, `upper`), the mean squares `ms` and the
/// test of judges `judges_test`.
impl Serialize for IccFit {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        via_value(
            json!({
                "n_obs": self.n_subjects(),
                "n_judge": self.n_judges(),
                "ci_level": self.ci_level(),
                "results": self.rows().iter().map(|r| json!({
                    "type": r.kind.psych_name(), "icc": num(r.icc), "f": num(r.f),
                    "df1": num(r.df1), "df2": num(r.df2), "p": num(r.p_value),
                    "lower": num(r.lower), "upper": num(r.upper),
                })).collect::<Vec<_>>(),
                "ms": { "subjects": num(self.ms_subjects()), "judges": num(self.ms_judges()),
                        "residual": num(self.ms_error()), "within": num(self.ms_within()) },
                "judges_test": { "f": num(self.judges_f()), "p": num(self.judges_p_value()) },
            }),
            s,
        )
    }
}

/// psych::scoreItems' fields: `n_obs`, `scales`, `items`, `n_items`, per scale `alpha`,
/// `average_r`, `signal_noise`, `g6`, `median_r`, `ase`, the scale correlations `cor` and
/// `corrected`, the item–scale correlations `item_cor` and `item_corrected`,
/// `response_frequencies` {values, items, proportions, missing} (`null` when not computed) and
/// `warnings`. The scores themselves are not part of the object.
impl Serialize for ScoreItemsFit {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let freq = self.response_frequencies().map(|rf| {
            json!({
                "values": rf.values, "items": rf.items,
                "proportions": matrix(&rf.proportions),
                "missing": slice(&rf.missing),
            })
        });
        via_value(
            json!({
                "n_obs": self.n_obs(),
                "scales": self.scales(),
                "items": self.items(),
                "n_items": self.n_items(),
                "alpha": slice(self.alpha()),
                "average_r": slice(self.average_r()),
                "signal_noise": slice(self.signal_noise()),
                "g6": slice(self.g6()),
                "median_r": slice(self.median_r()),
                "ase": slice(self.ase()),
                "cor": matrix(self.cor()),
                "corrected": matrix(self.corrected()),
                "item_cor": matrix(self.item_cor()),
                "item_corrected": matrix(self.item_corrected()),
                "response_frequencies": freq,
                "warnings": warnings(self.warnings()),
            }),
            s,
        )
    }
}
