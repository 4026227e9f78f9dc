//! Missing data.
