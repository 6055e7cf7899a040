# Reference values for the SPOT measures and the design-based standard errors.
# Run from the repository root:  Rscript tests/reference/measures_reference.R
# Writes tests/fixtures/measures/{dist,design}.csv and .json. Independent of the Rust code:
# Gini and quantiles from laeken, FGT as weighted means, standard errors from survey.
suppressPackageStartupMessages({
  library(laeken); library(survey); library(jsonlite)
})
RNGkind("Mersenne-Twister", "Inversion", "Rejection")
set.seed(20261122)
out <- "tests/fixtures/measures"

# --- 1. Distribution: welfare with ties and unequal weights --------------------------------
n <- 3000
y <- round(exp(rnorm(n, 13.8, 0.6)), -3)          # rounded to thousands: ties
w <- round(runif(n, 50, 3000), 2)
z1 <- as.numeric(weightedQuantile(y, w, probs = 0.2))
z2 <- 600000
fgt <- function(z, a) sum(w * (y < z) * ((z - y) / z)^a) / sum(w)
probs <- c(0.1, 0.25, 0.5, 0.75, 0.9)
q <- as.numeric(weightedQuantile(y, w, probs = probs))
# Equal weights where the cumulative share hits p exactly (laeken averages two values there).
ye <- c(5, 1, 9, 3, 7, 3, 8, 2, 6, 4)
qe <- as.numeric(weightedQuantile(ye, rep(1, 10), probs = c(0.3, 0.5, 0.55)))
theil <- { mu <- sum(w * y) / sum(w); sum(w * (y / mu) * log(y / mu)) / sum(w) }
write.csv(data.frame(y = y, w = sprintf("%.2f", w)), file.path(out, "dist.csv"), row.names = FALSE, quote = FALSE)
dist <- list(
  gini = gini(y, weights = w)$value / 100,
  gini_one_to_101 = gini(1:101)$value / 100,
  quantile_probs = probs, quantiles = q,
  equal_weights_y = ye, equal_weights_probs = c(0.3, 0.5, 0.55), equal_weights_quantiles = qe,
  lines = c(z1, z2),
  fgt = lapply(c(z1, z2), function(z) list(z = z, fgt0 = fgt(z, 0), fgt1 = fgt(z, 1), fgt2 = fgt(z, 2))),
  theil = theil,
  r_version = R.version.string, laeken_version = as.character(packageVersion("laeken"))
)
writeLines(toJSON(dist, auto_unbox = TRUE, digits = NA, pretty = TRUE), file.path(out, "dist.json"))

# --- 2. Design: strata, PSUs, domains ----------------------------------------------------
rows <- list(); psu_id <- 0
for (h in 1:12) {
  for (j in 1:sample(3:9, 1)) {
    psu_id <- psu_id + 1
    m <- sample(5:25, 1)
    pw <- runif(1, 100, 2000)
    rows[[length(rows) + 1]] <- data.frame(
      stratum = sprintf("S%02d", h), psu = psu_id,
      w = round(pw * runif(m, 0.8, 1.25), 4),
      group = sample(c("g1", "g2", "g3", "g4"), m, replace = TRUE),
      x = round(exp(rnorm(m, 13 + h / 20, 0.5)), 2))
  }
}
d <- do.call(rbind, rows)
p <- plogis(-0.5 + 0.4 * as.integer(factor(d$group)) - 0.05 * as.integer(factor(d$stratum)))
d$y <- rbinom(nrow(d), 1, p)
d$pop <- rbinom(nrow(d), 1, 0.7)
# Three PSUs with no domain record at all: domain estimation must still count them.
for (k in c(2, 11, 25)) d$pop[d$psu == k] <- 0
write.csv(d[, c("stratum", "psu", "w", "y", "group", "pop", "x")], file.path(out, "design.csv"),
          row.names = FALSE, quote = FALSE)
options(survey.lonely.psu = "fail")
# Per-group columns for the difference between a group's mean and the population's mean.
d$one <- 1
for (g in c("g1", "g2", "g3", "g4")) {
  d[[paste0("in_", g)]] <- as.numeric(d$group == g)
  d[[paste0("y_", g)]] <- d$y * (d$group == g)
}
des <- svydesign(ids = ~psu, strata = ~stratum, weights = ~w, data = d)
est <- function(s) list(est = unname(coef(s))[1], se = unname(SE(s))[1])
dom <- subset(des, pop == 1)
by <- svyby(~y, ~group, dom, svymean)
zx <- as.numeric(weightedQuantile(d$x, d$w, probs = 0.5))
# The linearised SE of the domain mean by hand, from the formula.
dd <- d; dd$dd <- dd$pop
W <- sum(dd$w * dd$dd); R <- sum(dd$w * dd$dd * dd$y) / W
dd$t <- dd$w * dd$dd * (dd$y - R) / W
tp <- aggregate(t ~ psu + stratum, dd, sum)
v <- sum(sapply(split(tp$t, tp$stratum), function(t) length(t) / (length(t) - 1) * sum((t - mean(t))^2)))
# A group's mean minus the domain's mean (the group lies inside the domain, so the two are
# correlated): the delta method on the four totals, as svycontrast computes it.
diff_from_domain <- lapply(c("g1", "g2", "g3", "g4"), function(g) {
  f <- as.formula(paste0("~y_", g, " + in_", g, " + y + one"))
  tot <- svytotal(f, dom)
  con <- svycontrast(tot, parse(text = paste0("y_", g, "/in_", g, " - y/one"))[[1]])
  list(group = g, est = unname(coef(con)), se = unname(SE(con)))
})
# Intervals for proportions that stay inside (0, 1): svyciprop's logit method, with a normal
# quantile (df = Inf), for each group; and for a rare outcome (y = 1 in about 3% of records).
d$rare <- as.numeric(d$x > quantile(d$x, 0.97))
des_rare <- svydesign(ids = ~psu, strata = ~stratum, weights = ~w, data = d)
# svyciprop fits the logit by glm (converged to ~1e-8 only), so the interval is also written
# out from svymean: expit(logit p -/+ qnorm(0.975) se / (p (1 - p))), checked against it.
logit_ci <- function(f, dsn) {
  ci <- svyciprop(f, dsn, method = "logit", df = Inf)
  m <- svymean(f, dsn)
  p <- unname(coef(m)); se <- as.numeric(SE(m))
  half <- qnorm(0.975) * se / (p * (1 - p))
  exact <- plogis(qlogis(p) + c(-1, 1) * half)
  stopifnot(max(abs(exact - as.numeric(confint(ci)))) < 1e-6)
  list(est = p, se = se, lo = exact[1], hi = exact[2],
       svyciprop_lo = as.numeric(confint(ci)[1]), svyciprop_hi = as.numeric(confint(ci)[2]))
}
proportion_ci <- c(
  lapply(c("g1", "g2", "g3", "g4"), function(g) c(list(group = g), logit_ci(~y, subset(dom, group == g)))),
  list(c(list(group = "rare"), logit_ci(~rare, des_rare))))
# Lonely strata: the PSUs of S01-S03 merged into one PSU each, under both of R's rules that
# give an SE ("certainty": they add nothing; "adjust": the lone PSU is centred at the population
# average). PSU numbers are nested in strata.
dl <- d
dl$psu <- ifelse(dl$stratum %in% c("S01", "S02", "S03"), 0, dl$psu)
lonely <- lapply(c("certainty", "adjust"), function(rule) {
  options(survey.lonely.psu = rule)
  des_l <- svydesign(ids = ~psu, strata = ~stratum, weights = ~w, data = dl, nest = TRUE)
  r <- list(rule = rule, mean_y = est(svymean(~y, des_l)),
            domain_mean_y = est(svymean(~y, subset(des_l, pop == 1))))
  options(survey.lonely.psu = "fail")
  r
})
design <- list(
  lonely = lonely,
  proportion_ci = proportion_ci,
  difference_from_domain = diff_from_domain,
  mean_y = est(svymean(~y, des)),
  domain_mean_y = est(svymean(~y, dom)),
  domain_mean_y_by_hand_se = sqrt(v),
  by_group = lapply(seq_len(nrow(by)), function(i) list(group = as.character(by$group[i]), est = by$y[i], se = by$se[i])),
  mean_x = est(svymean(~x, des)),
  line = zx,
  headcount = est(svymean(~I(as.numeric(x < zx)), des)),
  gap = est(svymean(~I(pmax(zx - x, 0) / zx), des)),
  n_psu = length(unique(d$psu)),
  r_version = R.version.string, survey_version = as.character(packageVersion("survey"))
)
stopifnot(abs(design$domain_mean_y$se - design$domain_mean_y_by_hand_se) < 1e-12)
writeLines(toJSON(design, auto_unbox = TRUE, digits = NA, pretty = TRUE), file.path(out, "design.json"))
cat("gini", dist$gini, "\nmean_y", unlist(design$mean_y), "\ndomain", unlist(design$domain_mean_y), "\n")
