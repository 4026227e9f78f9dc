# Timing of psych::describe on the study survey (612 x 24), to compare with benches/report.rs.
# Run from the repository root: Rscript benches/r/report.R
suppressPackageStartupMessages(library(psych))
survey <- read.csv("tests/fixtures/data/study_survey.csv")
x <- survey[, -(1:2)]
invisible(psych::describe(x))                     # warm-up
reps <- 200
t <- system.time(for (i in seq_len(reps)) psych::describe(x))[["elapsed"]]
cat(sprintf("psych::describe 612x24: %.3f ms per call (%d reps)\n", 1000 * t / reps, reps))
t2 <- system.time(for (i in seq_len(reps)) {
  psych::describe(x); lapply(x, function(v) table(factor(v, levels = 1:5))); table(survey$region)
})[["elapsed"]]
cat(sprintf("psych::describe + tables: %.3f ms per call (%d reps)\n", 1000 * t2 / reps, reps))
