# lavaan timings for benches/sem_fiml.rs (run from the repository root):
#   Rscript benches/r/sem_fiml.R
# The data are the fixture's: HS_missing10.csv was made from lavaan's HolzingerSwineford1939 with
# set.seed(20261127) and 10% of the x1..x9 cells set to NA (see the r_call in
# tests/fixtures/expected/sem_hs_cfa_fiml.json); it is read back here.
suppressMessages(library(lavaan))
hs_miss <- read.csv("tests/fixtures/data/HS_missing10.csv")
HS <- "visual =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed =~ x7 + x8 + x9"
timeit <- function(label, f, reps) {
  f()  # warm-up
  t <- system.time(for (i in seq_len(reps)) f())[["elapsed"]]
  cat(sprintf("%-40s %9.2f ms per fit (%d reps)\n", label, 1000 * t / reps, reps))
}
# fit + SEs + fit measures, as the Rust benchmark (fit() computes all of them)
timeit("hs_cfa_fiml (cfa missing=ml + fitMeasures)",
       function() fitMeasures(cfa(HS, data = hs_miss, missing = "ml")), 10)
timeit("hs_cfa_fiml (cfa missing=ml, fit only)",
       function() cfa(HS, data = hs_miss, missing = "ml"), 10)
timeit("hs_cfa_listwise (cfa + fitMeasures)",
       function() fitMeasures(cfa(HS, data = hs_miss)), 10)
