# Time psych::omega on the data the Rust bench uses (benches/omega.rs): the 25 bfi items,
# 2436 complete rows. Run from the crate root:  Rscript benches/r/omega.R
# Prints the median of repeated wall-clock timings (bench::mark) per call.
suppressMessages({library(psych); library(GPArotation); library(bench)})
x <- read.csv("tests/fixtures/data/bfi25_listwise.csv")[, -1]
R <- cor(x)
cat(sprintf("R %s, psych %s, GPArotation %s\n", getRversion(), packageVersion("psych"),
            packageVersion("GPArotation")))
calls <- list(
  "omega raw data, 3 factors" = quote(psych::omega(x, nfactors = 3, plot = FALSE)),
  "omega cor, 3 factors" = quote(psych::omega(R, nfactors = 3, n.obs = 2436, plot = FALSE)),
  "omega cor, 5 factors" = quote(psych::omega(R, nfactors = 5, n.obs = 2436, plot = FALSE)),
  "schmid cor, 3 factors" = quote(psych::schmid(R, nfactors = 3, n.obs = 2436))
)
for (nm in names(calls)) {
  cl <- calls[[nm]]
  res <- suppressMessages(suppressWarnings(eval(cl)))
  m <- bench::mark(suppressMessages(suppressWarnings(eval(cl))), iterations = 30, check = FALSE,
                   memory = FALSE, filter_gc = FALSE)
  oh <- if (!is.null(res$omega_h)) sprintf("omega_h = %.6f", res$omega_h) else ""
  cat(sprintf("%-28s %s median %.3f ms (min %.3f ms, %d runs)\n", nm, oh,
              1000 * as.numeric(median(m$time[[1]])), 1000 * as.numeric(min(m$time[[1]])),
              length(m$time[[1]])))
}
