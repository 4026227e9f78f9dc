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
# study SEM (24 items, 7 factors, n = 612): 200 replications, extrapolated to 5 000 in the docs
st <- read.csv("tests/fixtures/data/study_survey.csv")
sm <- "GS =~ GS1 + GS2 + GS3
ST =~ ST1 + ST2 + ST3 + ST4
AC =~ AC1 + AC2 + AC3 + AC4
MT =~ MT1 + MT2 + MT3
LP =~ LP1 + LP2 + LP3
IM =~ IM1 + IM2 + IM3
RS =~ RS1 + RS2 + RS3 + RS4
AC ~ a1*ST + g1*GS + i1*IM
MT ~ a2*ST + m1*AC
LP ~ a3*ST + m2*MT
RS ~ b1*AC + b2*MT + b3*LP"
sfit <- sem(sm, data = st)
set.seed(1)
t4 <- system.time(b3 <- bootstrapLavaan(sfit, R = 200, FUN = coef, parallel = "multicore", ncpus = 2))["elapsed"]
cat(sprintf("lavaan bootstrapLavaan study SEM 200 reps (multicore, 2 cpus): %.2f s (x25 = %.0f s for 5000)\n", t4, 25 * t4))
