# Independent R reference values for the SPOT welfare and poverty measures: weighted mean,
# Gini (laeken), weighted quantiles (laeken), FGT(0,1,2) with strict <, Theil T, decile income
# shares (laeken's quantile groups) / bottom 40 / top 10 / Palma / S80/S20 (= laeken::qsr), and a one-line ILO RAP cost check. Definitions:
# docs/methods.md, 'FGT poverty measures', 'Inequality: Gini, Theil, mean, quantiles, shares',
# 'Deciles, decile shares, Palma, S80/S20, bottom 40%' and 'Cost and projection (ILO RAP style)'.
#
# Run from the repository root:   Rscript tests/reference/spot_reference.R
# Writes tests/fixtures/spot/NAME.csv (columns y,w) and NAME.json for every case, and ilo.json.
# Deterministic: fixed RNG kind, one set.seed per random case, C collation. Two runs give
# byte-identical files. Stops with an error if any self-check fails.

invisible(Sys.setlocale("LC_COLLATE", "C"))
RNGkind("Mersenne-Twister", "Inversion", "Rejection")
suppressPackageStartupMessages({
  library(laeken)
  library(jsonlite)
})

outdir <- file.path("tests", "fixtures", "spot")
dir.create(outdir, recursive = TRUE, showWarnings = FALSE)

R_VERSION <- R.version.string
LAEKEN_VERSION <- as.character(packageVersion("laeken"))

# Probabilities written as literals (seq(0.1, 0.9, 0.1) would give 0.30000000000000004 etc.).
PROBS <- c(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.25, 0.75)
PROB_NAMES <- c("0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9", "0.25", "0.75")
stopifnot(identical(as.numeric(PROB_NAMES), PROBS))

# ---------------------------------------------------------------------------------------------
# Number formatting. jsonlite (1.8.4) prints at most 15 significant digits even with
# digits = NA, so every double is written with the shortest "%.{15,16,17}g" form that reads back
# to the identical double, and passed to toJSON verbatim.
# ---------------------------------------------------------------------------------------------
shortest <- function(x) {
  stopifnot(length(x) == 1, is.finite(x))
  for (d in 15:17) { s <- sprintf("%.*g", d, x); if (as.numeric(s) == x) return(s) }
  stop("no round-trip form")
}
exact_numbers <- function(x) {
  if (is.list(x)) {
    nm <- names(x)
    x <- lapply(x, exact_numbers)
    names(x) <- nm
    return(x)
  }
  if (is.double(x) || is.integer(x)) {   # I(x): always an array, even of length 0 or 1
    stopifnot(is.null(names(x)))
    s <- vapply(as.double(x), shortest, "")
    if (length(x) == 1 && !inherits(x, "AsIs")) return(structure(s, class = "json"))
    return(structure(paste0("[", paste(s, collapse = ", "), "]"), class = "json"))
  }
  x
}
write_json_exact <- function(obj, path) {
  txt <- toJSON(exact_numbers(obj), auto_unbox = TRUE, digits = NA, pretty = TRUE,
                json_verbatim = TRUE)
  writeLines(txt, path, useBytes = TRUE)
}

# ---------------------------------------------------------------------------------------------
# Measures, each straight from its definition.
# ---------------------------------------------------------------------------------------------
wmean <- function(y, w) sum(w * y) / sum(w)

fgt <- function(y, w, z, a) sum(w * (y < z) * ((z - y) / z)^a) / sum(w)   # strict <

theil <- function(y, w) {
  mu <- wmean(y, w)
  sum(w * (y / mu) * log(y / mu)) / sum(w)
}

# Independent re-implementation of the rule "first y whose cumulative weight share exceeds p",
# used only to check laeken.
first_exceeding <- function(y, w, p) {
  o <- order(y)
  rw <- cumsum(w[o]) / sum(w)
  y[o][min(which(rw > p))]
}

# Decile groups as laeken and Eurostat define quantile groups: group k holds the records with
# q((k-1)/10) < y <= q(k/10), q = laeken::weightedQuantile. Ties in y are never split. S80/S20 is
# then laeken's quintile share ratio, which the script checks against laeken::qsr.
decile_shares <- function(y, w) {
  cuts <- weightedQuantile(y, w, probs = (1:9) / 10)
  d <- 1L + vapply(y, function(v) sum(v > cuts), 0L)
  wy <- w * y
  share <- vapply(1:10, function(k) sum(wy[d == k]), 0) / sum(wy)
  wt <- vapply(1:10, function(k) sum(w[d == k]), 0)
  b40 <- sum(share[1:4]); t10 <- share[10]
  s8020 <- sum(share[9:10]) / sum(share[1:2])
  laeken_qsr <- qsr(y, weights = w)$value
  if (abs(s8020 - laeken_qsr) > 1e-12 * laeken_qsr) stop("S80/S20 differs from laeken::qsr")
  list(
    shares = list(
      decile_share = share,
      bottom40 = b40,
      top10 = t10,
      palma = t10 / b40,
      s80s20 = s8020,
      qsr_laeken = laeken_qsr,
      decile_weight = wt
    ),
    decile = d
  )
}

# laeken's exported weightedQuantile; also recorded what an "average at exact hits" rule gives.
quantiles <- function(y, w) {
  q <- weightedQuantile(y, w, probs = PROBS)
  for (i in seq_along(PROBS)) {
    if (!identical(q[i], first_exceeding(y, w, PROBS[i])))
      stop("laeken weightedQuantile differs from 'first share > p' at p = ", PROBS[i])
  }
  stopifnot(identical(weightedMedian(y, w), q[PROBS == 0.5]))
  o <- order(y); rw <- cumsum(w[o]) / sum(w); ys <- y[o]
  hits <- vapply(PROBS, function(p) any(rw == p), TRUE)
  avg <- vapply(seq_along(PROBS), function(i) {
    p <- PROBS[i]; k <- which(rw == p)
    if (length(k)) mean(ys[c(k[1], k[1] + 1)]) else q[i]
  }, 0)
  list(q = q, hits = hits, avg = avg)
}

csv_write <- function(y, w, path) {
  lines <- c("y,w", paste(vapply(y, shortest, ""), vapply(w, shortest, ""), sep = ","))
  writeLines(lines, path, useBytes = TRUE)
  back <- read.csv(path, colClasses = "numeric")
  stopifnot(identical(back$y, as.double(y)), identical(back$w, as.double(w)))
}

run_case <- function(name, y, w, lines) {
  y <- as.double(y); w <- as.double(w)
  stopifnot(length(y) == length(w), all(y > 0), all(w > 0))
  if (all(w == w[1])) {
    # equal weights: laeken's estimator equals the mean absolute difference / (2 mean)
    g_mad <- sum(abs(outer(y, y, "-"))) / (2 * length(y)^2 * mean(y))
    if (abs(gini(y, weights = w)$value / 100 - g_mad) > 1e-14) stop(name, ": Gini check failed")
  }
  csv_write(y, w, file.path(outdir, paste0(name, ".csv")))
  qq <- quantiles(y, w)
  ds <- decile_shares(y, w)
  qlist <- setNames(as.list(qq$q), PROB_NAMES)
  out <- list(
    case = name,
    n = length(y),
    total_weight = sum(w),
    mean = wmean(y, w),
    gini = gini(y, weights = w)$value / 100,
    quantiles = qlist,
    lines = lines,
    fgt = lapply(lines, function(z) list(z = z, fgt0 = fgt(y, w, z, 0), fgt1 = fgt(y, w, z, 1),
                                         fgt2 = fgt(y, w, z, 2))),
    theil = theil(y, w),
    shares = ds$shares,
    quantile_function = "laeken::weightedQuantile (exported)",
    r_version = R_VERSION,
    laeken_version = LAEKEN_VERSION
  )
  path <- file.path(outdir, paste0(name, ".json"))
  write_json_exact(out, path)
  # the file must read back to the identical doubles
  back <- fromJSON(path, simplifyVector = TRUE)
  same <- function(a, b) identical(as.double(unname(unlist(a))), as.double(unname(unlist(b))))
  stopifnot(same(back$gini, out$gini), same(back$mean, out$mean), same(back$theil, out$theil),
            same(back$quantiles, qq$q), same(back$lines, lines),
            same(back$shares$decile_share, ds$shares$decile_share),
            same(back$shares$bottom40, ds$shares$bottom40), same(back$shares$top10, ds$shares$top10),
            same(back$shares$palma, ds$shares$palma), same(back$shares$s80s20, ds$shares$s80s20),
            same(back$fgt$fgt0, vapply(out$fgt, `[[`, 0, "fgt0")),
            same(back$fgt$fgt1, vapply(out$fgt, `[[`, 0, "fgt1")),
            same(back$fgt$fgt2, vapply(out$fgt, `[[`, 0, "fgt2")))

  cat(sprintf("== %s: n = %d, W = %s, ties in y = %d\n", name, length(y), shortest(sum(w)),
              sum(duplicated(y))))
  cat("  mean  ", shortest(out$mean), "\n  gini  ", shortest(out$gini), "\n  theil ",
      shortest(out$theil), "\n", sep = "")
  cat("  quantiles:", paste(PROB_NAMES, vapply(qq$q, shortest, ""), sep = "=", collapse = " "), "\n")
  if (any(qq$hits))
    cat("  exact cumulative-share hits at p =", paste(PROB_NAMES[qq$hits], collapse = ", "),
        "; averaging rule would give", paste(vapply(qq$avg[qq$hits], shortest, ""), collapse = ", "),
        "(laeken does not average)\n")
  for (f in out$fgt)
    cat(sprintf("  z = %s: fgt0 %s fgt1 %s fgt2 %s\n", shortest(f$z), shortest(f$fgt0),
                shortest(f$fgt1), shortest(f$fgt2)))
  s <- ds$shares
  cat("  decile shares:", vapply(s$decile_share, shortest, ""), "\n")
  cat("  bottom40", shortest(s$bottom40), " top10", shortest(s$top10), " palma", shortest(s$palma),
      " s80s20", shortest(s$s80s20), "\n")
  cat("  records per decile:", tabulate(ds$decile, 10), " laeken qsr", shortest(s$qsr_laeken), "\n")
  invisible(out)
}

# =============================================================================================
# 1. one_to_n: y = 1..101, w = 1. Gini must be (n - 1) / (3n) = 100/303.
# =============================================================================================
n <- 101
r1 <- run_case("one_to_n", 1:n, rep(1, n), lines = c(30.5, 50))
g_expected <- (n - 1) / (3 * n)
cat(sprintf("  gini check: laeken %s vs 100/303 = %s, diff %g\n", shortest(r1$gini),
            shortest(g_expected), r1$gini - g_expected))
if (abs(r1$gini - g_expected) > 4 * .Machine$double.eps) stop("one_to_n Gini is not 100/303")
stopifnot(r1$fgt[[1]]$fgt0 == 30 / 101, r1$fgt[[2]]$fgt0 == 49 / 101)   # y < 50 is 1..49
stopifnot(r1$quantiles[["0.5"]] == 51, r1$mean == 51)

# =============================================================================================
# 2. lognormal: 5000 records, integer welfare (ties occur), two-decimal weights.
# =============================================================================================
set.seed(20261123)
N <- 5000
y2 <- round(exp(rnorm(N, mean = 13.8, sd = 0.6)))
w2 <- round(runif(N, 50, 3000), 2)
z2 <- round(weightedQuantile(y2, w2, probs = c(0.2, 0.4)), -3)
r2 <- run_case("lognormal", y2, w2, lines = z2)
stopifnot(sum(duplicated(y2)) > 0)

# =============================================================================================
# 3. equal_weights_ties: 20 records, w = 1; cumulative shares k/20 hit every p in PROBS exactly.
# =============================================================================================
y3 <- c(5, 5, 5, 8, 8, 10, 12, 12, 12, 12, 15, 18, 18, 20, 25, 25, 30, 40, 40, 60)
r3 <- run_case("equal_weights_ties", y3, rep(1, 20), lines = c(12, 25))

# =============================================================================================
# 4. small_weights: 7 records, weights sum to 10, given in shuffled order with a tie in y (3)
#    whose two records have different weights. Sorted: y 2 3 3 6 8 12 20, w 0.5 1.5 1 2 2.5 2 0.5,
#    cumulative shares 0.05 0.2 0.3 0.5 0.75 0.95 1 (p = 0.2, 0.3, 0.5, 0.75 hit exactly).
#    Deciles by value: q(0.1..0.9) = 3 3 6 6 8 8 8 12 12, so y = 3 (both records) is in group 1
#    and y = 6, whose cumulative share hits 0.5 exactly, in group 3.
# =============================================================================================
y4 <- c(8, 3, 20, 2, 12, 3, 6)
w4 <- c(2.5, 1.5, 0.5, 0.5, 2, 1, 2)
r4 <- run_case("small_weights", y4, w4, lines = c(3, 8))
stopifnot(sum(w4) == 10, r4$quantiles[["0.3"]] == 6, r4$quantiles[["0.5"]] == 8)

# =============================================================================================
# ILO RAP one-line cost check: take-up x population x annual benefit x (1 + admin).
# =============================================================================================
ilo <- list(take_up = 0.60, population = 2393000, benefit_year = 4800, admin = 0.05)
ilo$cost <- 0.60 * 2393000 * 4800 * 1.05
ilo$r_version <- R_VERSION
cat(sprintf("== ilo: cost = %s\n", shortest(ilo$cost)))
stopifnot(ilo$cost == 7236432000)
write_json_exact(ilo, file.path(outdir, "ilo.json"))
