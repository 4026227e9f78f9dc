//! Sampling adequacy (KMO, Bartlett) and exploratory factor analysis.
