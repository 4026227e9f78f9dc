//! The study's design as data: constructs and items, hypotheses, defined indirect effects.

use crate::error::{Error, Result};

/// Expected sign of a hypothesised path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Sign {
    /// A positive effect.
    Positive,
    /// A negative effect.
    Negative,
}

impl Sign {
    /// `+` or `−`.
    pub fn symbol(self) -> &'static str {
        match self {
            Sign::Positive => "+",
            Sign::Negative => "−",
        }
    }
    /// Whether `x` has this sign (0 has neither).
    pub fn agrees(self, x: f64) -> bool {
        match self {
            Sign::Positive => x > 0.0,
            Sign::Negative => x < 0.0,
        }
    }
}

/// A construct (latent variable) and its items.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Construct {
    /// Short name, used as the latent variable's name (`GS`).
    pub name: String,
    /// Description (`governance-scale unity`).
    pub label: String,
    /// Item column names.
    pub items: Vec<String>,
}

/// A hypothesis: a structural path `from → to` with its expected sign and the label of the
/// path coefficient in the model syntax.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Hypothesis {
    /// Identifier (`H1`).
    pub id: String,
    /// Predictor construct.
    pub from: String,
    /// Outcome construct.
    pub to: String,
    /// Expected sign.
    pub sign: Sign,
    /// Label of the coefficient in the model syntax (`a1`).
    pub label: String,
}

/// A defined parameter (lavaan `name := expression`), e.g. an indirect effect.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct DefinedEffect {
    /// Parameter name (`ind_ST_AC_RS`).
    pub name: String,
    /// Readable path (`ST → AC → RS`).
    pub path: String,
    /// Expression over path labels (`a1*b1`).
    pub expression: String,
}

/// A moderation check on composite scores: does `w` moderate the effect of `x` on `y`
/// (PROCESS model 1, `y ~ x * w`)?
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ModerationCheck {
    /// Focal predictor construct.
    pub x: String,
    /// Moderator construct.
    pub w: String,
    /// Outcome construct.
    pub y: String,
}

/// The design of a study: constructs, hypotheses, defined (indirect) effects, the outcome of the
/// composite regression, and the grouping column.
///
/// [`StudyDesign::cfa_syntax`] and [`StudyDesign::sem_syntax`] generate the lavaan model text:
/// one `=~` line per construct, one `~` line per outcome (hypotheses grouped by outcome in order
/// of first appearance, each predictor with its label), one `:=` line per defined effect.
///
/// # Examples
/// ```
/// use surveystat::study::StudyDesign;
/// let d = StudyDesign::chengdu_chongqing();
/// assert_eq!(d.constructs().len(), 7);
/// assert_eq!(d.hypotheses().len(), 10);
/// assert!(d.sem_syntax().contains("AC ~ a1*ST + g1*GS + i1*IM"));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct StudyDesign {
    pub(super) title: String,
    pub(super) constructs: Vec<Construct>,
    pub(super) hypotheses: Vec<Hypothesis>,
    pub(super) effects: Vec<DefinedEffect>,
    pub(super) outcome: String,
    pub(super) group: Option<String>,
    #[cfg_attr(feature = "serde", serde(default))]
    pub(super) moderation: Option<ModerationCheck>,
}

impl StudyDesign {
    /// A design from its parts.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for an empty construct list, a construct with fewer than two
    /// items, a hypothesis naming an unknown construct, or an outcome that is not a construct.
    pub fn new(
        title: impl Into<String>,
        constructs: Vec<Construct>,
        hypotheses: Vec<Hypothesis>,
        effects: Vec<DefinedEffect>,
        outcome: impl Into<String>,
        group: Option<String>,
    ) -> Result<Self> {
        let outcome = outcome.into();
        if constructs.len() < 2 {
            return Err(Error::invalid("constructs", "a study needs at least two constructs"));
        }
        for c in &constructs {
            if c.items.len() < 2 {
                return Err(Error::invalid(
                    "constructs",
                    format!("construct {} needs at least two items", c.name),
                ));
            }
        }
        let known = |n: &str| constructs.iter().any(|c| c.name == n);
        for h in &hypotheses {
            for n in [&h.from, &h.to] {
                if !known(n) {
                    return Err(Error::invalid(
                        "hypotheses",
                        format!("{} names the unknown construct {n}", h.id),
                    ));
                }
            }
        }
        if !known(&outcome) {
            return Err(Error::invalid("outcome", format!("{outcome} is not a construct")));
        }
        Ok(Self {
            title: title.into(),
            constructs,
            hypotheses,
            effects,
            outcome,
            group,
            moderation: None,
        })
    }

    /// The Chengdu–Chongqing study on collaborative standardization of institutional affairs:
    /// seven constructs (GS, ST, AC, MT, LP, IM, RS; 24 five-point items), hypotheses H1–H10,
    /// the six specific indirect effects of ST on RS and their total, outcome RS, groups by
    /// `region`. The generated model text equals the lavaan calls of the reference fixtures
    /// (`tests/fixtures/expected/study_cfa.json`, `study_sem.json`).
    pub fn chengdu_chongqing() -> Self {
        let c = |name: &str, label: &str, items: &[&str]| Construct {
            name: name.into(),
            label: label.into(),
            items: items.iter().map(|s| s.to_string()).collect(),
        };
        let constructs = vec![
            c("GS", "governance-scale unity", &["GS1", "GS2", "GS3"]),
            c("ST", "standardization of institutional affairs", &["ST1", "ST2", "ST3", "ST4"]),
            c("AC", "administrative collaborative governance", &["AC1", "AC2", "AC3", "AC4"]),
            c("MT", "mutual trust / synergy awareness", &["MT1", "MT2", "MT3"]),
            c("LP", "local protectionism", &["LP1", "LP2", "LP3"]),
            c("IM", "cadre incentive mechanism", &["IM1", "IM2", "IM3"]),
            c("RS", "regional synergistic development", &["RS1", "RS2", "RS3", "RS4"]),
        ];
        let h = |id: &str, from: &str, to: &str, sign: Sign, label: &str| Hypothesis {
            id: id.into(),
            from: from.into(),
            to: to.into(),
            sign,
            label: label.into(),
        };
        use Sign::{Negative as N, Positive as P};
        let hypotheses = vec![
            h("H1", "ST", "AC", P, "a1"),
            h("H2", "GS", "AC", P, "g1"),
            h("H3", "IM", "AC", P, "i1"),
            h("H4", "ST", "MT", P, "a2"),
            h("H5", "AC", "MT", P, "m1"),
            h("H6", "ST", "LP", N, "a3"),
            h("H7", "MT", "LP", N, "m2"),
            h("H8", "AC", "RS", P, "b1"),
            h("H9", "MT", "RS", P, "b2"),
            h("H10", "LP", "RS", N, "b3"),
        ];
        let e = |name: &str, path: &str, expression: &str| DefinedEffect {
            name: name.into(),
            path: path.into(),
            expression: expression.into(),
        };
        let effects = vec![
            e("ind_ST_AC_RS", "ST → AC → RS", "a1*b1"),
            e("ind_ST_MT_RS", "ST → MT → RS", "a2*b2"),
            e("ind_ST_LP_RS", "ST → LP → RS", "a3*b3"),
            e("ind_ST_AC_MT_RS", "ST → AC → MT → RS", "a1*m1*b2"),
            e("ind_ST_MT_LP_RS", "ST → MT → LP → RS", "a2*m2*b3"),
            e("ind_ST_AC_MT_LP_RS", "ST → AC → MT → LP → RS", "a1*m1*m2*b3"),
            e(
                "total_ST_RS",
                "total effect ST → RS",
                "a1*b1 + a2*b2 + a3*b3 + a1*m1*b2 + a2*m2*b3 + a1*m1*m2*b3",
            ),
        ];
        Self {
            title: "Collaborative standardization of institutional affairs in the Chengdu–Chongqing economic circle".into(),
            constructs,
            hypotheses,
            effects,
            outcome: "RS".into(),
            group: Some("region".into()),
            // H1 (ST → AC) and H3 (IM → AC): does the incentive mechanism strengthen the effect
            // of standardization on collaborative governance?
            moderation: Some(ModerationCheck { x: "ST".into(), w: "IM".into(), y: "AC".into() }),
        }
    }

    /// Title of the study.
    pub fn title(&self) -> &str {
        &self.title
    }
    /// Constructs in questionnaire order.
    pub fn constructs(&self) -> &[Construct] {
        &self.constructs
    }
    /// Hypotheses in order.
    pub fn hypotheses(&self) -> &[Hypothesis] {
        &self.hypotheses
    }
    /// Defined (indirect and total) effects.
    pub fn effects(&self) -> &[DefinedEffect] {
        &self.effects
    }
    /// Outcome construct of the composite regression.
    pub fn outcome(&self) -> &str {
        &self.outcome
    }
    /// Grouping column (region), if any.
    pub fn group(&self) -> Option<&str> {
        self.group.as_deref()
    }
    /// All items, in construct order.
    pub fn items(&self) -> Vec<String> {
        self.constructs.iter().flat_map(|c| c.items.iter().cloned()).collect()
    }

    /// lavaan syntax of the measurement model (`F =~ x1 + x2 + …`, one line per construct).
    pub fn cfa_syntax(&self) -> String {
        self.constructs
            .iter()
            .map(|c| format!("{} =~ {}", c.name, c.items.join(" + ")))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// lavaan syntax of the full model: measurement model, structural regressions with labels,
    /// defined effects.
    pub fn sem_syntax(&self) -> String {
        let mut lines = vec![self.cfa_syntax()];
        lines.extend(self.regression_lines(true));
        for e in &self.effects {
            lines.push(format!("{} := {}", e.name, e.expression));
        }
        lines.join("\n")
    }

    /// One `outcome ~ predictors` line per outcome, hypotheses grouped by outcome in order of
    /// first appearance; with `labelled`, each path carries its hypothesis label.
    fn regression_lines(&self, labelled: bool) -> Vec<String> {
        let mut outcomes: Vec<&str> = Vec::new();
        for h in &self.hypotheses {
            if !outcomes.contains(&h.to.as_str()) {
                outcomes.push(&h.to);
            }
        }
        outcomes
            .into_iter()
            .map(|o| {
                let rhs: Vec<String> = self
                    .hypotheses
                    .iter()
                    .filter(|h| h.to == o)
                    .map(|h| {
                        if labelled && !h.label.is_empty() {
                            format!("{}*{}", h.label, h.from)
                        } else {
                            h.from.clone()
                        }
                    })
                    .collect();
                format!("{o} ~ {}", rhs.join(" + "))
            })
            .collect()
    }
}

impl StudyDesign {
    /// lavaan syntax of the structural model without labels and defined effects, for the
    /// multi-group model: in lavaan (and here) a label in single-group syntax makes the parameter
    /// equal in every group, so the paths to compare must be unlabelled.
    pub fn multigroup_syntax(&self) -> String {
        let mut lines = vec![self.cfa_syntax()];
        lines.extend(self.regression_lines(false));
        lines.join("\n")
    }
}

impl StudyDesign {
    /// Add a moderation check on composite scores: `w` as moderator of `x → y`.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] when a name is not a construct or two names coincide.
    pub fn with_moderation(mut self, x: &str, w: &str, y: &str) -> Result<Self> {
        for n in [x, w, y] {
            if !self.constructs.iter().any(|c| c.name == n) {
                return Err(Error::invalid("moderation", format!("{n} is not a construct")));
            }
        }
        if x == w || x == y || w == y {
            return Err(Error::invalid("moderation", "x, w and y must be three constructs"));
        }
        self.moderation = Some(ModerationCheck { x: x.into(), w: w.into(), y: y.into() });
        Ok(self)
    }
    /// The moderation check on composite scores, if the design has one.
    pub fn moderation(&self) -> Option<&ModerationCheck> {
        self.moderation.as_ref()
    }
}

impl Default for StudyDesign {
    fn default() -> Self {
        Self::chengdu_chongqing()
    }
}
