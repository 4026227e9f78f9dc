//! Integration tests: cli.

#[path = "../common/mod.rs"]
mod common;

mod alpha;
mod bad_counts;
mod bad_input_corpus;
mod cli_ols_inference;
mod cor;
mod data_options;
mod efa_methods;
mod efa_scores;
mod factor_warnings;
mod glm;
mod glm_profile;
mod invariance;
mod invariance_ordinal;
mod invariance_robust;
mod ols;
mod ols_extreme_scale;
mod ordinal_mimic;
mod parallel;
mod process;
mod process_jn;
mod psychometrics;
mod score;
mod sem;
mod sem_bootstrap;
mod sem_constraints;
mod sem_cov;
mod sem_extreme_fit;
mod sem_growth;
mod sem_meanstructure;
mod sem_ordinal;
mod sem_robust;
mod stream;
mod stream_ols;
mod study;
mod util;
