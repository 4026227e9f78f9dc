# lavaan timings for the fits in benches/sem.rs (run from the repository root):
#   Rscript benches/r/sem.R
suppressMessages(library(lavaan))
hs <- read.csv("tests/fixtures/data/HolzingerSwineford1939.csv")
pd <- read.csv("tests/fixtures/data/PoliticalDemocracy.csv")
st <- read.csv("tests/fixtures/data/study_survey.csv")
HS <- "visual =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed =~ x7 + x8 + x9"
POLDEM <- "ind60 =~ x1 + x2 + x3
dem60 =~ y1 + a*y2 + b*y3 + c*y4
dem65 =~ y5 + a*y6 + b*y7 + c*y8
dem60 ~ ind60
dem65 ~ ind60 + dem60
y1 ~~ y5
y2 ~~ y4 + y6
y3 ~~ y7
y4 ~~ y8
y6 ~~ y8"
STUDY <- "GS =~ GS1 + GS2 + GS3
ST =~ ST1 + ST2 + ST3 + ST4
AC =~ AC1 + AC2 + AC3 + AC4
MT =~ MT1 + MT2 + MT3
LP =~ LP1 + LP2 + LP3
IM =~ IM1 + IM2 + IM3
RS =~ RS1 + RS2 + RS3 + RS4
AC ~ a1*ST + g1*GS + i1*IM
MT ~ a2*ST + m1*AC
LP ~ a3*ST + m2*MT
RS ~ b1*AC + b2*MT + b3*LP
ind_ST_AC_RS := a1*b1
ind_ST_MT_RS := a2*b2
ind_ST_LP_RS := a3*b3
total_ST_RS := a1*b1 + a2*b2 + a3*b3 + a1*m1*b2 + a2*m2*b3 + a1*m1*m2*b3"
timeit <- function(label, f, reps) {
  f()  # warm-up
  t <- system.time(for (i in seq_len(reps)) f())[["elapsed"]]
  cat(sprintf("%-32s %9.2f ms per fit (%d reps)\n", label, 1000 * t / reps, reps))
}
# fit + SEs + fit measures, as the Rust benchmark (fit() computes all of them)
timeit("hs_cfa (cfa + fitMeasures)", function() fitMeasures(cfa(HS, data = hs)), 30)
timeit("poldem (sem + fitMeasures)", function() fitMeasures(sem(POLDEM, data = pd)), 30)
timeit("study_sem (sem + fitMeasures)", function() fitMeasures(sem(STUDY, data = st)), 10)
timeit("hs_cfa + modindices", function() modindices(cfa(HS, data = hs)), 30)
