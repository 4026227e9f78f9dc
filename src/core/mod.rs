//! The numerical core: small dense linear algebra (and the one bridge to faer), probability
//! distributions and optimisation. Nothing here depends on any other module of the crate; every
//! estimator builds on it.

pub(crate) mod dist;
pub(crate) mod linalg;
pub(crate) mod optim;
pub(crate) mod scale;
