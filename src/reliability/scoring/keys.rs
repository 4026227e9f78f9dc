//! Scoring keys: which items make up each scale and which of them are reverse keyed.

use crate::error::{Error, Result};

/// Most scales a keys file may define.
pub const MAX_SCALES: usize = 1000;

/// One scale of a [`Keys`] set: its name and its items, each with a reverse flag.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ScaleKey {
    /// Scale name.
    pub name: String,
    /// Item names, in the order given.
    pub items: Vec<String>,
    /// Per item: whether it is reverse keyed.
    pub reversed: Vec<bool>,
}

/// Scoring keys for several scales, as psych's keys lists (`list(agree = c("-A1", "A2"))`).
///
/// A key is an item name, with a leading `-` for a reverse-keyed item. The text form (the
/// `surveystat score --keys FILE` format) has one scale per line:
///
/// ```text
/// # comment lines and blank lines are ignored
/// agree: -A1 A2 A3 A4 A5
/// conscientious: C1 C2 C3 -C4 -C5
/// ```
///
/// Items are separated by spaces or commas; a name may not contain spaces, commas or a colon.
///
/// # Examples
/// ```
/// use surveystat::reliability::Keys;
/// let keys = Keys::parse("agree: -A1 A2 A3\nopen: O1, -O2\n").unwrap();
/// assert_eq!(keys.scales()[0].name, "agree");
/// assert_eq!(keys.scales()[0].reversed, vec![true, false, false]);
/// assert_eq!(keys.scales()[1].items, vec!["O1", "O2"]);
/// ```
///
/// # Errors
/// [`Error::Syntax`] (with line and column) for a line without `name:`, an empty name, a scale
/// without items, an item named twice in one scale or a scale named twice.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Keys {
    scales: Vec<ScaleKey>,
}

impl Keys {
    /// An empty set of keys; add scales with [`Keys::scale`].
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a scale from item keys (`"-A1"` reverse keyed, `"A2"` not).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for an empty or duplicated scale name, no items, an empty item
    /// name or an item named twice.
    pub fn scale<S: AsRef<str>>(mut self, name: &str, keys: &[S]) -> Result<Self> {
        let key = build_scale(name, keys.iter().map(|k| k.as_ref()))
            .map_err(|m| Error::invalid(format!("keys of scale `{name}`"), m))?;
        if self.scales.iter().any(|s| s.name == key.name) {
            return Err(Error::invalid("keys", format!("scale `{name}` is defined twice")));
        }
        self.scales.push(key);
        Ok(self)
    }

    /// Parse the text form (see the type documentation).
    ///
    /// # Errors
    /// [`Error::Syntax`] as described on the type.
    pub fn parse(text: &str) -> Result<Self> {
        let mut out = Keys::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let syntax =
                |column: usize, message: String| Error::Syntax { line: i + 1, column, message };
            let Some(colon) = line.find(':') else {
                return Err(syntax(1, "expected `scale name: item1 -item2 ...`".into()));
            };
            let name = line[..colon].trim();
            if name.is_empty() {
                return Err(syntax(1, "the scale name before `:` is empty".into()));
            }
            let rest = &line[colon + 1..];
            let keys =
                rest.split(|c: char| c.is_whitespace() || c == ',').filter(|t| !t.is_empty());
            let key = build_scale(name, keys).map_err(|m| syntax(colon + 2, m))?;
            if out.scales.iter().any(|s| s.name == key.name) {
                return Err(syntax(1, format!("scale `{name}` is defined twice")));
            }
            if out.scales.len() == MAX_SCALES {
                return Err(syntax(1, format!("more than {MAX_SCALES} scales")));
            }
            out.scales.push(key);
        }
        if out.scales.is_empty() {
            return Err(Error::Syntax { line: 1, column: 1, message: "no scale defined".into() });
        }
        Ok(out)
    }

    /// The scales, in the order given.
    pub fn scales(&self) -> &[ScaleKey] {
        &self.scales
    }

    /// Every item named by some scale, once, in the order of first appearance.
    pub fn items(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for s in &self.scales {
            for it in &s.items {
                if !out.contains(it) {
                    out.push(it.clone());
                }
            }
        }
        out
    }
}

fn build_scale<'a>(
    name: &str,
    keys: impl Iterator<Item = &'a str>,
) -> std::result::Result<ScaleKey, String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("the scale name is empty".into());
    }
    let mut items = Vec::new();
    let mut reversed = Vec::new();
    for k in keys {
        let k = k.trim();
        let (rev, item) = match k.strip_prefix('-') {
            Some(rest) => (true, rest.trim()),
            None => (false, k.strip_prefix('+').unwrap_or(k).trim()),
        };
        if item.is_empty() {
            return Err(format!("an empty item name in scale `{name}`"));
        }
        if items.iter().any(|i: &String| i == item) {
            return Err(format!("item `{item}` appears twice in scale `{name}`"));
        }
        items.push(item.to_string());
        reversed.push(rev);
    }
    if items.is_empty() {
        return Err(format!("scale `{name}` has no items"));
    }
    Ok(ScaleKey { name: name.to_string(), items, reversed })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_errors_name_their_line() {
        match Keys::parse("a: x y\n\nb x y\n") {
            Err(Error::Syntax { line, .. }) => assert_eq!(line, 3),
            other => panic!("{other:?}"),
        }
        assert!(Keys::parse("a:\n").is_err());
        assert!(Keys::parse("a: x -x\n").is_err());
        assert!(Keys::parse("a: x\na: y\n").is_err());
        assert!(Keys::parse("# only a comment\n").is_err());
        let k = Keys::parse("a: x -y\nb: y z\n").unwrap();
        assert_eq!(k.items(), vec!["x", "y", "z"]);
    }
}
