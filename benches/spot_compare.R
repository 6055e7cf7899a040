# The SPOT work of benches/analyses.rs, in base R, timed for a side-by-side comparison.
#   target/debug/vnr-brief synth --households 350000 --seed 2030 --wave 1 --out /tmp/bench.csv
#   Rscript benches/spot_compare.R /tmp/bench.csv
# Ten scenarios: the five of specs/demo.toml and five variants (benefit x 1.5; coverage 0.7 for the
# 1st, 3rd and 5th). Per scenario: transfers per household, welfare after transfers, FGT 0/1/2 at
# the national line and $3.00/$4.20/$8.30 a day, Gini, Theil, decile shares (bottom 40, top 10,
# Palma, S80/S20), incidence by pre-transfer decile, urban/rural headcounts, cost and a 10-year
# projection. No standard errors (the Rust figure it is compared with includes linearised FGT SEs).
args <- commandArgs(trailingOnly = TRUE)
path <- if (length(args)) args[1] else "/tmp/bench.csv"
d <- read.csv(path, stringsAsFactors = FALSE)
set.seed(20260630)

line <- 600000
lines <- c(line, c(3.00, 4.20, 8.30) * 4700 * 1.12 * 365 / 12)
gdp <- 2.1e16
hh <- match(d$hhid, unique(d$hhid))                  # household index of each person
first <- !duplicated(hh)
H <- max(hh)
y0 <- d$consumption_pc[first]; size <- d$hhsize[first]; urban <- d$urban[first]
wp <- as.numeric(tapply(d$hh_weight, hh, sum))       # persons' weight per household
hw <- d$hh_weight[first]
pmt <- d$pmt_score[first]
head_row <- d$relation == "Head"

deciles <- function(y, w) {
  o <- order(y); cw <- cumsum(w[o]); tot <- cw[length(cw)]
  dec <- integer(length(y)); dec[o] <- pmin(10L, floor(10 * (cw - w[o] / 2) / tot) + 1L); dec
}
gini <- function(y, w) {
  o <- order(y); y <- y[o]; w <- w[o]; cw <- cumsum(w)
  (2 * sum(w * y * cw) - sum(w^2 * y)) / (sum(w) * sum(w * y)) - 1
}
measures <- function(y, w) {
  fgt <- sapply(lines, function(z) { g <- pmax(z - y, 0) / z
    c(sum(w * (y < z)), sum(w * g), sum(w * g^2)) / sum(w) })
  mu <- sum(w * y) / sum(w)
  dec <- deciles(y, w); sh <- tapply(w * y, factor(dec, 1:10), sum); sh[is.na(sh)] <- 0; sh <- sh / sum(sh)
  list(fgt = fgt, gini = gini(y, w), theil = sum(w * (y / mu) * log(y / mu)) / sum(w),
       bottom40 = sum(sh[1:4]), palma = sh[10] / sum(sh[1:4]), s80s20 = sum(sh[9:10]) / sum(sh[1:2]))
}
dec0 <- deciles(y0, wp)

scheme <- function(kind, benefit, coverage = 1, admin = 0, min_age = NA, max_age = NA, exclude = NULL,
                   target = NA, errors = c(0, 0), unit = "lcu") list(kind = kind, benefit = benefit,
  coverage = coverage, admin = admin, min_age = min_age, max_age = max_age, exclude = exclude,
  target = target, errors = errors, unit = unit)
base <- list(
  child = list(scheme("child", 150000, admin = 0.03, min_age = 0, max_age = 5)),
  old_age = list(scheme("old_age", 300000, admin = 0.03, min_age = 70, exclude = "pension")),
  package = list(scheme("child", 150000, admin = 0.03, min_age = 0, max_age = 5),
                 scheme("old_age", 300000, admin = 0.03, min_age = 70, exclude = "pension"),
                 scheme("disability", 300000, coverage = 0.8, admin = 0.05)),
  targeted = list(scheme("household", 250000, admin = 0.08, target = 0.2, errors = c(0.25, 0.05))),
  universal = list(scheme("universal", 10, admin = 0.02, unit = "pct_line")))
scenarios <- base
for (k in seq_along(base)) {
  v <- lapply(base[[k]], function(s) { s$benefit <- s$benefit * 1.5; if (k %% 2 == 1) s$coverage <- 0.7; s })
  scenarios[[paste0(names(base)[k], "_variant")]] <- v
}

run <- function() lapply(scenarios, function(sc) {
  transfers <- numeric(H); cost <- 0
  for (s in sc) {
    benefit <- if (s$unit == "pct_line") s$benefit / 100 * line else s$benefit
    elig <- switch(s$kind,
      child = d$age >= s$min_age & d$age <= s$max_age,
      old_age = d$age >= s$min_age,
      disability = d$disability == 1,
      universal = rep(TRUE, nrow(d)),
      household = head_row)
    if (!is.null(s$exclude)) elig <- elig & !(d$contributory_pension %in% 1)
    if (!is.na(s$target)) {
      o <- order(pmt); cw <- cumsum(wp[o]); inside <- logical(H)
      inside[o] <- (cw - wp[o] / 2) / cw[H] < s$target
      u <- runif(H); inside <- ifelse(inside, u >= s$errors[1], u < s$errors[2])
      elig <- elig & inside[hh]
    }
    if (s$coverage < 1) elig[elig] <- runif(sum(elig)) < s$coverage
    transfers <- transfers + tabulate(hh[elig], H) * benefit
    cost <- cost + sum(d$hh_weight[elig]) * benefit * 12 * (1 + s$admin)
  }
  y1 <- y0 + transfers / size
  m <- measures(y1, wp)
  inc <- sapply(1:10, function(k) { i <- dec0 == k
    c(100 * (sum(wp[i] * y1[i]) / sum(wp[i] * y0[i]) - 1), sum(wp[i] * (transfers[i] > 0)) / sum(wp[i]),
      sum(hw[i] * transfers[i]) / sum(hw * transfers)) })
  areas <- sapply(c("Rural", "Urban"), function(a) { i <- urban == a
    c(sum(wp[i] * (y0[i] < line)), sum(wp[i] * (y1[i] < line))) / sum(wp[i]) })
  proj <- cost * 1.03^(0:10) / (gdp * (1.05 * 1.03)^(0:10))
  list(m = m, inc = inc, areas = areas, cost_pct_gdp = 100 * cost / gdp, proj = proj)
})

times <- sapply(1:3, function(i) system.time(res <- run())[["elapsed"]])
res <- run()
m0 <- measures(y0, wp)
cat(sprintf("baseline: headcount %.6f, Gini %.6f\n", m0$fgt[1, 1], m0$gini))
for (k in names(res)) cat(sprintf("%-20s headcount %.6f  Gini %.6f  cost %.4f%% GDP\n", k,
  res[[k]]$m$fgt[1, 1], res[[k]]$m$gini, res[[k]]$cost_pct_gdp))
cat(sprintf("R, 10 scenarios: %.3f s (best of 3; runs %s)\n", min(times), paste(round(times, 3), collapse = ", ")))
