# Reference values for the linearised standard errors of the distribution measures (issue:
# statistical fidelity, items 5 and 6). Run from the repository root:
#   Rscript tests/reference/linearised_reference.R
# Reads tests/fixtures/measures/design.csv (written by measures_reference.R: 828 records in 12
# strata, welfare `x`, weight `w`) and writes tests/fixtures/measures/linearised.json.
#
# Independent of the Rust code in three ways:
# - survey does the design work: every SE is svytotal() (or svymean, svyquantile, svyby) on the
#   design, with strata, PSUs and, for the FPC case, a sampling fraction per stratum;
# - values come from laeken (gini, qsr, arpr, rmpg, weightedQuantile);
# - the Gini's linearised variable is the numerical derivative of laeken's gini with respect to
#   each record's weight (Deville 1999: the linearised variable of a statistic is its derivative
#   with respect to the weights), not a formula. The quantile-based measures (ARPR, QSR, Palma,
#   shares) have no such derivative (they are step functions of the weights); their influence
#   functions are written out below from Deville (1999) and Osier (2009), and each linearised SE
#   is also set against a 4000-replicate bootstrap of the same statistic, which shares no formula
#   with it.
suppressPackageStartupMessages({ library(laeken); library(survey); library(jsonlite) })
RNGkind("Mersenne-Twister", "Inversion", "Rejection")
set.seed(20261201)
out <- "tests/fixtures/measures"
options(survey.lonely.psu = "fail")
d <- read.csv(file.path(out, "design.csv"))
des <- svydesign(ids = ~psu, strata = ~stratum, weights = ~w, data = d)
y <- d$x; w <- d$w; N <- sum(w); T <- sum(w * y)

# The SE of a statistic from its linearised variable u (one value per record): the design SE
# of the total of u.
lin_se <- function(u, dsn = des) {
  dsn <- update(dsn, u_ = u)
  as.numeric(SE(svytotal(~u_, dsn)))
}
# laeken's quantile rule (the first value whose cumulative weight share exceeds p), given to
# svyquantile as its rule so that its Woodruff interval inverts the same step function.
laeken_rule <- function(x, w, p) {
  o <- order(x); cw <- cumsum(w[o]) / sum(w)
  if (p <= 0) return(x[o][1])
  if (p >= 1) return(x[o][length(x)])
  x[o][which(cw > p)[1]]
}
q <- function(p) laeken_rule(y, w, p)

# --- Mean and FGT(2) ------------------------------------------------------------------------
z <- q(0.3)
d$g2 <- ifelse(y < z, ((z - y) / z)^2, 0)
d$poor <- as.numeric(y < z)
des <- update(des, g2 = d$g2, poor = d$poor)
mean_y <- list(est = as.numeric(coef(svymean(~x, des))), se = as.numeric(SE(svymean(~x, des))))
fgt2 <- list(line = z, est = as.numeric(coef(svymean(~g2, des))), se = as.numeric(SE(svymean(~g2, des))))

# --- Quantiles: Woodruff intervals, normal quantile ------------------------------------------
probs <- seq(0.1, 0.9, by = 0.1)
sq <- svyquantile(~x, des, probs, qrule = laeken_rule, df = Inf, interval.type = "mean")
quantiles <- lapply(seq_along(probs), function(i) list(
  p = probs[i], value = unname(sq$x[i, "quantile"]), se = unname(sq$x[i, "se"])))
stopifnot(all(abs(sapply(quantiles, `[[`, "value") -
                  as.numeric(weightedQuantile(y, w, probs))) == 0))

# --- Gini: derivative of laeken's gini with respect to each weight ---------------------------
g <- function(wt) gini(y, weights = wt)$value / 100
u_gini <- sapply(seq_along(w), function(k) {
  h <- 1e-4 * w[k]; wp <- w; wm <- w; wp[k] <- w[k] + h; wm[k] <- w[k] - h
  (g(wp) - g(wm)) / (2 * h)
})
gini_est <- g(w)

# --- Shares: the lower partial total T_p = sum w y 1[y <= q_p] -------------------------------
# Its linearised variable, with the quantile's own influence included (the density cancels):
# 1[y <= q_p] (y - q_p) + p q_p.
u_lower <- function(p) { qp <- q(p); ifelse(y <= qp, y - qp, 0) + p * qp }
lower <- function(p) sum(w * y * (y <= q(p)))
T20 <- lower(0.2); T40 <- lower(0.4); T80 <- lower(0.8); T90 <- lower(0.9)
qsr_est <- (T - T80) / T20
palma_est <- (T - T90) / T40
b40_share <- T40 / T
N40 <- sum(w * (y <= q(0.4)))
b40_mean <- T40 / N40
u_qsr <- ((y - u_lower(0.8)) - qsr_est * u_lower(0.2)) / T20
u_palma <- ((y - u_lower(0.9)) - palma_est * u_lower(0.4)) / T40
u_b40_share <- (u_lower(0.4) - b40_share * y) / T
# The count below q_p has linearised variable p (its indicator's part and the quantile's cancel).
u_b40_mean <- (u_lower(0.4) - b40_mean * 0.4) / N40
stopifnot(abs(qsr_est - qsr(y, weights = w)$value) < 1e-9 * qsr_est)

# --- ARPR: Gaussian kernel density at the median and at the threshold ------------------------
# Bandwidth as in Osier (2009) and R's convey: the weighted standard deviation over N^(1/5).
sd_w <- sqrt((sum(w * y^2) - T^2 / N) / N)
bw <- sd_w / N^0.2
dens <- function(at) sum(w * dnorm((at - y) / bw)) / (N * bw)
med <- q(0.5)
arpr_at <- function(share) {
  t <- share * med
  rate <- sum(w * (y < t)) / N
  u_med <- -((y <= med) - 0.5) / (N * dens(med))
  u <- ((y < t) - rate) / N + dens(t) * share * u_med
  list(share = share, threshold = t, est = rate, u = u,
       rmpg = laeken:::relativeGap(y, w, threshold = t) / 100,
       laeken_arpr = arpr(y, weights = w, p = share)$value / 100)
}
relative <- lapply(c(0.5, 0.6), arpr_at)
for (r in relative) stopifnot(abs(r$est - r$laeken_arpr) < 1e-12)

# --- A bootstrap of each statistic, as an independent check of the influence functions -------
boot <- as.svrepdesign(des, type = "subbootstrap", replicates = 4000)
stat_se <- function(fun) {
  r <- withReplicates(boot, function(wt, data) fun(wt * 1))
  as.numeric(SE(r))
}
wq <- function(wt, p) { o <- order(y); cw <- cumsum(wt[o]) / sum(wt); y[o][which(cw > p)[1]] }
lower_w <- function(wt, p) sum(wt * y * (y <= wq(wt, p)))
boot_se <- list(
  gini = stat_se(function(wt) gini(y, weights = wt)$value / 100),
  qsr = stat_se(function(wt) (sum(wt * y) - lower_w(wt, 0.8)) / lower_w(wt, 0.2)),
  palma = stat_se(function(wt) (sum(wt * y) - lower_w(wt, 0.9)) / lower_w(wt, 0.4)),
  bottom40_share = stat_se(function(wt) lower_w(wt, 0.4) / sum(wt * y)),
  bottom40_mean = stat_se(function(wt) lower_w(wt, 0.4) / sum(wt * (y <= wq(wt, 0.4)))),
  arpr50 = stat_se(function(wt) sum(wt * (y < 0.5 * wq(wt, 0.5))) / sum(wt)),
  arpr60 = stat_se(function(wt) sum(wt * (y < 0.6 * wq(wt, 0.5))) / sum(wt))
)

# --- Domains: headcount by group, PSUs without a record of the group still counting ---------
by <- svyby(~poor, ~group, des, svymean)
domains <- lapply(seq_len(nrow(by)), function(i) list(
  group = as.character(by$group[i]), est = by$poor[i], se = by$se[i]))

# --- Finite-population correction: a sampling fraction per stratum --------------------------
d$f <- 0.05 + 0.02 * as.integer(factor(d$stratum))
des_f <- svydesign(ids = ~psu, strata = ~stratum, weights = ~w, fpc = ~f, data = d)
des_f <- update(des_f, poor = d$poor)
fpc <- list(
  fractions = as.list(sapply(split(d$f, d$stratum), `[`, 1)),
  mean_y = list(est = as.numeric(coef(svymean(~x, des_f))), se = as.numeric(SE(svymean(~x, des_f)))),
  headcount = list(est = as.numeric(coef(svymean(~poor, des_f))), se = as.numeric(SE(svymean(~poor, des_f)))),
  gini_se = lin_se(u_gini, des_f)
)

res <- list(
  mean = mean_y,
  fgt2 = fgt2,
  quantiles = quantiles,
  gini = list(est = gini_est, se = lin_se(u_gini), bootstrap_se = boot_se$gini),
  qsr = list(est = qsr_est, se = lin_se(u_qsr), bootstrap_se = boot_se$qsr),
  palma = list(est = palma_est, se = lin_se(u_palma), bootstrap_se = boot_se$palma),
  bottom40_share = list(est = b40_share, se = lin_se(u_b40_share), bootstrap_se = boot_se$bottom40_share),
  bottom40_mean = list(est = b40_mean, se = lin_se(u_b40_mean), bootstrap_se = boot_se$bottom40_mean),
  decile_shares = diff(c(0, sapply(seq(0.1, 0.9, 0.1), lower), T)) / T,
  bandwidth = bw,
  relative = lapply(seq_along(relative), function(i) {
    r <- relative[[i]]
    list(share = r$share, threshold = r$threshold, headcount = r$est, headcount_se = lin_se(r$u),
         bootstrap_se = boot_se[[c("arpr50", "arpr60")[i]]], rmpg = r$rmpg)
  }),
  domains = domains,
  fpc = fpc,
  r_version = R.version.string, survey_version = as.character(packageVersion("survey")),
  laeken_version = as.character(packageVersion("laeken"))
)
writeLines(toJSON(res, auto_unbox = TRUE, digits = NA, pretty = TRUE), file.path(out, "linearised.json"))
for (m in c("gini", "qsr", "palma", "bottom40_share", "bottom40_mean"))
  cat(sprintf("%-15s lin %.6g  boot %.6g  ratio %.3f\n", m, res[[m]]$se, res[[m]]$bootstrap_se,
              res[[m]]$se / res[[m]]$bootstrap_se))
for (r in res$relative)
  cat(sprintf("arpr %.1f        lin %.6g  boot %.6g  ratio %.3f\n", r$share, r$headcount_se,
              r$bootstrap_se, r$headcount_se / r$bootstrap_se))
