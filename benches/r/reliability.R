# Time psych::alpha on the same data the Rust bench uses (written by `cargo bench --bench
# reliability` to target/bench-data/). Run from the crate root after the Rust bench:
#   Rscript benches/r/reliability.R
# Prints the median of repeated wall-clock timings (bench::mark) per data set.
suppressMessages({library(psych); library(bench)})
dir <- file.path("target", "bench-data")
cases <- list(
  list(name = "bfi C 2436x5", file = "reliability_bfi_C_2436x5.csv", iters = 50),
  list(name = "sim 100000x50", file = "reliability_sim_100000x50.csv", iters = 5)
)
cat(sprintf("R %s, psych %s\n", getRversion(), packageVersion("psych")))
for (cs in cases) {
  x <- as.data.frame(data.table::fread(file.path(dir, cs$file)))
  res <- psych::alpha(x, check.keys = FALSE, warnings = FALSE)
  m <- bench::mark(psych::alpha(x, check.keys = FALSE, warnings = FALSE),
                   iterations = cs$iters, check = FALSE, memory = FALSE, filter_gc = FALSE)
  cat(sprintf("%-16s n = %6d, k = %2d: raw_alpha = %.6f, median %.3f ms (min %.3f ms, %d runs)\n",
              cs$name, nrow(x), ncol(x), res$total$raw_alpha,
              1000 * as.numeric(median(m$time[[1]])), 1000 * as.numeric(min(m$time[[1]])),
              length(m$time[[1]])))
}
