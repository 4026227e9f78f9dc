# psych timings on the data of benches/factor.rs (run `cargo bench --bench factor` first: it writes
# target/factor_bench_5000x60.csv). Run from the repository root: Rscript benches/r/factor.R
suppressPackageStartupMessages({ library(psych); library(GPArotation) })
hs <- read.csv("tests/fixtures/data/HolzingerSwineford1939.csv")[, paste0("x", 1:9)]
bfi <- read.csv("tests/fixtures/data/bfi25_listwise.csv")[, -1]
big <- read.csv("target/factor_bench_5000x60.csv")
timeit <- function(label, expr, reps) {
  expr <- substitute(expr)
  eval(expr) # warm up
  t <- system.time(for (i in seq_len(reps)) eval(expr))[["elapsed"]]
  cat(sprintf("%-40s %10.3f ms\n", label, 1000 * t / reps))
}
for (case in list(list("hs9_3f", hs, 3, 50), list("bfi25_5f", bfi, 5, 30), list("sim5000x60_6f", big, 6, 10))) {
  x <- case[[2]]; k <- case[[3]]; reps <- case[[4]]
  timeit(paste0(case[[1]], "/minres_oblimin"), psych::fa(x, nfactors = k), reps)
  timeit(paste0(case[[1]], "/ml_varimax"), psych::fa(x, nfactors = k, fm = "ml", rotate = "varimax"), reps)
  timeit(paste0(case[[1]], "/kmo"), { psych::KMO(x); psych::cortest.bartlett(cor(x), n = nrow(x)) }, reps)
}
timeit("bfi25/parallel_20", psych::fa.parallel(bfi, n.iter = 20, plot = FALSE), 2)
