# R's lm.fit on the sizes of benches/regression.rs: n in {1e3, 1e5, 1e6} x p in {5, 50}
# (p counts the intercept column, as the Rust bench). Same distribution as the Rust data
# (standard normal predictors, y = 1 + X beta + N(0,1)), drawn with R's own RNG (seeded).
# Run: Rscript benches/r/regression.R   -> one line per size: n p median_seconds reps
set.seed(20261128)
for (n in c(1e3, 1e5, 1e6)) for (p in c(5, 50)) {
  X <- cbind(1, matrix(rnorm(n * (p - 1)), n, p - 1))
  y <- drop(X %*% c(1, rnorm(p - 1))) + rnorm(n)
  reps <- if (n >= 1e6) 5 else if (n >= 1e5) 10 else 200
  times <- numeric(reps)
  for (i in seq_len(reps)) times[i] <- system.time(lm.fit(X, y))[["elapsed"]]
  cat(sprintf("%d %d %.6f %d\n", as.integer(n), as.integer(p), median(times), reps))
  rm(X, y); invisible(gc())
}
