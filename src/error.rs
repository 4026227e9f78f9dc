//! The crate's error type.
//!
//! Every failure that depends on the data is an [`Error`] value, never a panic. Messages are
//! lowercase, without a trailing period, and name the file, column, matrix or model line at fault.

use std::fmt;

/// Result alias used throughout the crate.
pub type Result<T> = std::result::Result<T, Error>;

/// Where a data problem was found: a file (or other source) and, when known, a line and a column.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Location {
    /// Name of the source (a file path, or `"<memory>"`).
    pub source: String,
    /// 1-based line number, when known.
    pub line: Option<u64>,
    /// Column name or 1-based column number, when known.
    pub column: Option<String>,
}

impl Location {
    /// A location in `source` at `line` (1-based) and `column`.
    pub fn new(source: impl Into<String>, line: Option<u64>, column: Option<String>) -> Self {
        Self { source: source.into(), line, column }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.source)?;
        if let Some(line) = self.line {
            write!(f, ", line {line}")?;
        }
        if let Some(col) = &self.column {
            write!(f, ", column {col}")?;
        }
        Ok(())
    }
}

/// Everything that can go wrong in surveystat.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading a file failed.
    #[error("cannot read {path}: {message}")]
    Io {
        /// The file.
        path: String,
        /// The operating system's message.
        message: String,
    },
    /// A CSV file is malformed (bad quoting, invalid UTF-8, …).
    #[error("malformed csv at {location}: {message}")]
    Csv {
        /// Where.
        location: Location,
        /// What the CSV parser said.
        message: String,
    },
    /// The data source has no header or no data rows.
    #[error("{source_name} is empty: {what}")]
    EmptyData {
        /// The source.
        source_name: String,
        /// What is missing (`"no header row"`, `"no data rows"`).
        what: String,
    },
    /// A row has a different number of fields than the header.
    #[error("ragged row at {location}: expected {expected} fields, found {found}")]
    RaggedRow {
        /// Where.
        location: Location,
        /// Number of header fields.
        expected: usize,
        /// Number of fields in the row.
        found: usize,
    },
    /// Two header fields have the same name.
    #[error("duplicate column name `{name}` in {source_name} (columns {first} and {second})")]
    DuplicateHeader {
        /// The source.
        source_name: String,
        /// The repeated name.
        name: String,
        /// 1-based index of its first occurrence.
        first: usize,
        /// 1-based index of the repeat.
        second: usize,
    },
    /// A header field is empty.
    #[error("empty column name in {source_name} at column {column}")]
    EmptyHeader {
        /// The source.
        source_name: String,
        /// 1-based column index.
        column: usize,
    },
    /// A column holding text was used as numbers.
    #[error("column `{column}` is not numeric: `{value}` at line {line}")]
    NonNumericColumn {
        /// The column.
        column: String,
        /// 1-based line of the first non-numeric value.
        line: u64,
        /// The offending text.
        value: String,
    },
    /// A variable (column, item, model variable) is not known.
    #[error("unknown variable `{name}`")]
    UnknownVariable {
        /// The name asked for.
        name: String,
    },
    /// The same variable was given twice.
    #[error("variable `{name}` is given more than once")]
    DuplicateVariable {
        /// The repeated name.
        name: String,
    },
    /// Array shapes do not fit together.
    #[error("dimension mismatch in {what}: expected {expected}, found {found}")]
    DimensionMismatch {
        /// What was being checked.
        what: String,
        /// Expected size.
        expected: usize,
        /// Actual size.
        found: usize,
    },
    /// Too few observations for the method.
    #[error("too few observations: need at least {needed}, got {got}")]
    TooFewObservations {
        /// Minimum needed.
        needed: usize,
        /// Available.
        got: usize,
    },
    /// Too few variables (items, columns) for the method.
    #[error("too few variables: need at least {needed}, got {got}")]
    TooFewVariables {
        /// Minimum needed.
        needed: usize,
        /// Available.
        got: usize,
    },
    /// A value is NaN or infinite where a finite number is required.
    #[error("non-finite value in {what}")]
    NonFinite {
        /// Which input (and where) holds it.
        what: String,
    },
    /// A column has zero variance.
    #[error("column `{name}` is constant (zero variance)")]
    ConstantColumn {
        /// The column.
        name: String,
    },
    /// A matrix that must be symmetric positive definite is not.
    #[error("matrix {matrix} is not positive definite")]
    NotPositiveDefinite {
        /// Which matrix.
        matrix: String,
    },
    /// A matrix that must be invertible is (numerically) singular.
    #[error("matrix {matrix} is singular")]
    Singular {
        /// Which matrix.
        matrix: String,
    },
    /// Columns of a design matrix are linearly dependent.
    #[error("design matrix is rank deficient: aliased column(s) {}", aliased.join(", "))]
    RankDeficient {
        /// The columns that are linear combinations of earlier ones.
        aliased: Vec<String>,
    },
    /// An iterative procedure did not converge.
    #[error("{what} did not converge after {iterations} iterations")]
    NotConverged {
        /// The procedure.
        what: String,
        /// Iterations used.
        iterations: usize,
    },
    /// A model-syntax error.
    #[error("syntax error at line {line}, column {column}: {message}")]
    Syntax {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What was expected.
        message: String,
    },
    /// A model cannot be estimated as specified.
    #[error("model is not identified: {reason}")]
    NotIdentified {
        /// Why.
        reason: String,
    },
    /// An option or argument is out of range.
    #[error("invalid parameter `{name}`: {reason}")]
    InvalidParameter {
        /// The option.
        name: String,
        /// Why it is invalid.
        reason: String,
    },
    /// A numerical linear-algebra routine failed.
    #[error("{operation} failed: {message}")]
    LinearAlgebra {
        /// Operation (`"eigendecomposition"`, `"svd"`, …).
        operation: String,
        /// Details.
        message: String,
    },
    /// A latent variable of a model has the name of an observed column (lavaan refuses this too:
    /// the model would silently ignore the data column).
    #[error(
        "latent variable `{name}` has the name of an observed variable in the data; rename the latent variable"
    )]
    LatentNameCollision {
        /// The latent variable's name.
        name: String,
    },
    /// A data file's format is readable only with a cargo feature this build lacks.
    #[error(
        "{path}: reading .{extension} files needs surveystat built with the feature `{feature}`"
    )]
    FormatNotEnabled {
        /// The file.
        path: String,
        /// Its extension (lowercase, without the dot).
        extension: String,
        /// The cargo feature that adds the reader.
        feature: String,
    },
    /// A binary data file (SPSS, Stata, Parquet, Arrow) is malformed or holds a column that cannot
    /// become numbers or labels.
    #[error("cannot read {path} as {format}: {message}")]
    DataFormat {
        /// The file.
        path: String,
        /// The format (`"SPSS"`, `"Stata"`, `"Parquet"`, `"Arrow IPC"`).
        format: String,
        /// What the reader said, naming the column where there is one.
        message: String,
    },
    /// A covariate predicts the categories of an ordered item perfectly: the item's probit
    /// regression on the covariates has no finite maximum (lavaan 0.6.14 returns a fit without
    /// standard errors, or fails, with warnings).
    #[error(
        "covariate `{covariate}` predicts the categories of the ordered item `{item}` perfectly: {detail}"
    )]
    PerfectPrediction {
        /// The ordered item.
        item: String,
        /// The covariate.
        covariate: String,
        /// How the separation shows.
        detail: String,
    },
}

impl Error {
    /// Shorthand for [`Error::InvalidParameter`].
    pub fn invalid(name: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::InvalidParameter { name: name.into(), reason: reason.into() }
    }
}
