# R timings for docs/benchmarks/resample.md (same data as benches/resample.rs).
# Run from the repository root:  Rscript benches/r/resample.R
suppressPackageStartupMessages({ library(boot); library(lavaan) })
tm <- function(label, expr, reps) {
  e <- substitute(expr); env <- parent.frame()
  invisible(eval(e, env))                                 # warm-up
  t <- system.time(for (i in seq_len(reps)) eval(e, env))[["elapsed"]] / reps
  cat(sprintf("%-55s %12.3f ms\n", label, 1000 * t))
}
hs <- read.csv("tests/fixtures/data/HolzingerSwineford1939.csv")
x1 <- hs$x1
tm("boot: mean of HS x1, R = 1000", boot(x1, function(d, i) mean(d[i]), R = 1000), 20)
b <- boot(x1, function(d, i) mean(d[i]), R = 1000)
tm("boot.ci(type = 'bca') (regression influence)", boot.ci(b, type = "bca"), 20)
L <- empinf(data = x1, statistic = function(d, i) mean(d[i]), type = "jack", stype = "i")
tm("jackknife (empinf type = 'jack') + boot.ci bca", {
  L <- empinf(data = x1, statistic = function(d, i) mean(d[i]), type = "jack", stype = "i")
  boot.ci(b, type = "bca", L = L) }, 20)
d <- read.csv("tests/fixtures/data/HS_missing10.csv")
Y <- as.matrix(d[, paste0("x", 1:9)])
tm("lavaan EM h1 (tol 1e-5, lavaan default)",
   lavaan:::lav_mvnorm_missing_h1_estimate_moments(Y = Y, tol = 1e-5), 20)
tm("lavaan EM h1 (tol 1e-10)",
   lavaan:::lav_mvnorm_missing_h1_estimate_moments(Y = Y, tol = 1e-10, max.iter = 10000L), 10)
set.seed(1)
tm("bootstrap of lavaan EM h1 (tol 1e-5), per replication (20 timed)", {
  i <- sample.int(nrow(Y), replace = TRUE)
  lavaan:::lav_mvnorm_missing_h1_estimate_moments(Y = Y[i, ], tol = 1e-5) }, 20)
h1 <- lavaan:::lav_mvnorm_missing_h1_estimate_moments(Y = Y, tol = 1e-10, max.iter = 10000L)
Mp <- lavaan:::lav_data_missing_patterns(Y)
Yp <- lavaan:::lav_samplestats_missing_patterns(Y = Y, Mp = Mp)
tm("lavaan FIML loglik (pattern-wise samplestats)",
   lavaan:::lav_mvnorm_missing_loglik_samplestats(Yp = Yp, Mu = h1$Mu, Sigma = h1$Sigma), 200)
tm("lavaan FIML loglik + gradient wrt mu and Sigma (pattern-wise)", {
   lavaan:::lav_mvnorm_missing_loglik_samplestats(Yp = Yp, Mu = h1$Mu, Sigma = h1$Sigma)
   lavaan:::lav_mvnorm_missing_dlogl_dmu_samplestats(Yp = Yp, Mu = h1$Mu, Sigma = h1$Sigma)
   lavaan:::lav_mvnorm_missing_dlogl_dSigma_samplestats(Yp = Yp, Mu = h1$Mu, Sigma = h1$Sigma) }, 100)
Sigma <- matrix(0.3, 24, 24); diag(Sigma) <- 1
disc <- function(v) cut(as.numeric(scale(v)), breaks = c(-Inf, -1.5, -0.5, 0.5, 1.5, Inf), labels = FALSE)
tm("MASS::mvrnorm 612 x 24 + Likert cut(scale())",
   apply(MASS::mvrnorm(612, rep(0, 24), Sigma), 2, disc), 50)
tm("MASS::mvrnorm 100000 x 2", MASS::mvrnorm(100000, c(0, 0), matrix(c(1, .5, .5, 1), 2)), 20)
