//! Reliability: Cronbach's α and its family (as psych::alpha), McDonald's ω, composite reliability.
