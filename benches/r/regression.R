# R's lm.fit on the sizes of benches/regression.rs: n in {1e3, 1e5, 1e6} x p in {5, 50}
# (p counts the intercept column, as the Rust bench). Same distribution as the Rust data
# (standard normal predictors, y = 1 + X beta + N(0,1)), drawn with R's own RNG (seeded).
# Run: Rscript benches/r/regression.R [n p reps]   -> one line per size: n p median_seconds reps
# (with arguments: that size only, timed `reps` times; every elapsed and CPU time is printed)
args <- as.numeric(commandArgs(trailingOnly = TRUE))
set.seed(20261128)
sizes <- if (length(args) >= 2) list(c(args[1], args[2])) else
  list(c(1e3, 5), c(1e3, 50), c(1e5, 5), c(1e5, 50), c(1e6, 5), c(1e6, 50))
for (s in sizes) {
  n <- s[1]; p <- s[2]
  X <- cbind(1, matrix(rnorm(n * (p - 1)), n, p - 1))
  y <- drop(X %*% c(1, rnorm(p - 1))) + rnorm(n)
  reps <- if (length(args) >= 3) args[3] else if (n >= 1e6) 5 else if (n >= 1e5) 10 else 200
  times <- numeric(reps); cpu <- numeric(reps)
  for (i in seq_len(reps)) {
    st <- system.time(lm.fit(X, y))
    times[i] <- st[["elapsed"]]; cpu[i] <- st[["user.self"]] + st[["sys.self"]]
  }
  cat(sprintf("%d %d %.6f %d  elapsed [%s]  cpu [%s]\n", as.integer(n), as.integer(p),
              median(times), reps, paste(sprintf("%.3f", times), collapse = " "),
              paste(sprintf("%.3f", cpu), collapse = " ")))
  rm(X, y); invisible(gc())
}
