//! Linear algebra: small dense kernels on flat buffers ([`small`]).

pub(crate) mod small;
