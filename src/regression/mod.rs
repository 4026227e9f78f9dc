//! Ordinary least squares regression with the inference of R's `lm`, `sandwich` and `car`.
