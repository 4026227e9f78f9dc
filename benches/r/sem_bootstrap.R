# lavaan timings for benches/sem_bootstrap.rs (same data, same replication counts).
suppressMessages(library(lavaan))
hs <- read.csv("tests/fixtures/data/HolzingerSwineford1939.csv")
m <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
fit <- cfa(m, data = hs)
set.seed(1)
t1 <- system.time(b <- bootstrapLavaan(fit, R = 1000, FUN = coef))["elapsed"]
cat(sprintf("lavaan bootstrapLavaan HS CFA 1000 reps (serial): %.2f s\n", t1))
set.seed(1)
t2 <- system.time(f2 <- cfa(m, data = hs, se = "bootstrap", bootstrap = 1000))["elapsed"]
cat(sprintf("lavaan cfa(se = 'bootstrap', bootstrap = 1000): %.2f s\n", t2))
set.seed(1)
t3 <- system.time(b2 <- bootstrapLavaan(fit, R = 1000, FUN = coef, parallel = "multicore", ncpus = 2))["elapsed"]
cat(sprintf("lavaan bootstrapLavaan HS CFA 1000 reps (multicore, 2 cpus): %.2f s\n", t3))
