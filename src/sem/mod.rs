//! Structural equation models with lavaan-style model syntax.
