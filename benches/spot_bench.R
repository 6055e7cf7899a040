# SPOT benchmark in R: the same simulation as the SPOT part of `benches/analyses.rs`, for a
# side-by-side timing. Base R only (jsonlite only for the optional --compare).
#
#   Rscript benches/spot_bench.R /tmp/bench.csv [specs/demo.toml] [--runs N] [--csv OUT.csv]
#                                [--compare results.json]
#
# Make the CSV with `VNR_BENCH_CSV=/tmp/bench.csv cargo bench` or with
#   target/debug/vnr-brief synth --households 350000 --seed 2030 --wave 1 --out /tmp/bench.csv
# (350,000 households, about 1.28M persons; the same wave the Rust benchmark generates).
#
# The scenarios, macro figures, lines, seed and projection are read from the spec (a minimal TOML
# reader for the keys SPOT uses; it stops on anything it does not understand). As analyses.rs does,
# the spec's scenarios are followed by one variant of each: every benefit x 1.5 and, for the
# even-indexed scenarios (0, 2, 4), coverage 0.7 (5 + 5 = 10 scenarios with specs/demo.toml).
#
# Definitions (src/analysis/spot/mod.rs, src/estimate/measures.rs, src/analysis/spot/projection.rs,
# src/estimate/stats.rs; docs/methods.md, 'SPOT: the population as households' to 'Cost and
# projection (ILO RAP style)'), on the latest wave of the spec:
#   - person weight = hh_weight (person-level file); households numbered in order of first
#     appearance; household values (welfare per capita, size, hh_weight, urban, score) from the
#     household's first row; a household's persons = sum of its members' weights;
#   - eligibility per person row: child/old_age by min_age <= age <= max_age; disability/maternity by
#     a 0/1 column; universal everyone; household = the head's row (`relation = 'Head'`), paid once
#     per head row with the household weight; `exclude` (`col = value`, NULL = not excluded);
#   - targeting (target_bottom): households ranked by the score (default: welfare), stable, in the
#     bottom share of persons by the midpoint of their weight range; then exclusion and inclusion
#     errors drawn once per household (in household order);
#   - coverage < 1: one uniform draw per eligible (and targeted) person in row order, kept if u < coverage.
#     Full coverage and no targeting errors draw nothing: such scenarios must equal Rust's exactly
#     (up to summation order, ~1e-12). Draws use R's own generator, so the others differ from Rust's
#     ChaCha stream (set.seed per scenario and scheme, from [spot] seed);
#   - benefit units: lcu_month, pct_poverty_line (of the wave's national line), pct_gdp_per_capita;
#   - transfers summed per household, divided by hhsize, added to consumption_pc;
#   - per scenario: FGT0/1/2 at the national line and at the international lines (default $3.00,
#     $4.20, $8.30 a day x ppp_factor x cpi_ratio x 365/12), with linearised SEs of the headcount and
#     gap (strata = province, PSUs within strata, as variance.rs); Gini (PIP formula), Theil, mean,
#     decile shares of persons ranked on welfare after transfers -> bottom 40, top 10, Palma, S80/S20;
#     incidence by fixed pre-transfer decile (change %, coverage, benefit share); urban/rural
#     headcount before/after and coverage; reach of the bottom 40% and the rural population;
#     direct recipients, people in recipient households; cost (x 12 x (1 + admin)), % GDP,
#     % revenue; poverty gap closed per unit cost; share of transfers to the pre-transfer poor;
#     headcount reduction; ILO-RAP projection over [projection] horizon.
#   Plus the baseline (the same distribution measures, deciles and areas before transfers).
#
# Timing: loading the CSV and building the household arrays and the design ("setup") are outside
# the timer (setup is timed and printed separately: Rust's timer includes its equivalent). The timed
# block is the baseline plus all scenarios, elapsed time from proc.time(), best of --runs (3).
# Rust's matching figure is the first SPOT line of `cargo bench` ("SPOT, 10 scenarios ... : x s"),
# which runs without bootstrap replicates and without the 'not poor' D-index (neither is done here);
# Rust also follows the indicators' furthest-behind groups, which this script does not.
#
# --compare results.json (from `vnr-brief run` on a copy of the spec whose latest wave is this CSV):
# for every scenario id present in both, compares every numeric field (after, deciles, areas,
# schemes, costs, projection, reach of bottom40/rural) and the baseline; prints R vs Rust for the
# national headcount after, Gini after and cost % GDP, and the largest difference over all fields.

invisible(Sys.setlocale("LC_COLLATE", "C"))
options(stringsAsFactors = FALSE, digits = 15)

args <- commandArgs(trailingOnly = TRUE)
opt_value <- function(flag) {
  i <- match(flag, args)
  if (is.na(i)) return(NULL)
  if (i == length(args)) stop(flag, " needs a value", call. = FALSE)
  v <- args[i + 1]
  args <<- args[-c(i, i + 1)]
  v
}
runs <- as.integer(if (is.null(r <- opt_value("--runs"))) 3 else r)
csv_out <- opt_value("--csv")
compare_path <- opt_value("--compare")
unknown <- grep("^--", args, value = TRUE)
if (length(unknown)) stop("unknown option ", unknown[1], call. = FALSE)
if (length(args) < 1) {
  stop("usage: Rscript benches/spot_bench.R DATA.csv [SPEC.toml] [--runs N] [--csv OUT.csv] [--compare results.json]", call. = FALSE)
}
csv_path <- args[1]
spec_path <- if (length(args) >= 2) args[2] else {
  file_arg <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
  if (length(file_arg) == 1) file.path(dirname(dirname(normalizePath(file_arg))), "specs", "demo.toml") else ""
}
if (!file.exists(spec_path)) stop("spec not found: ", spec_path, call. = FALSE)

# ------------------------------------------------------------------------------------------------
# The spec (a minimal TOML reader: tables, arrays of tables, scalars and arrays of scalars)
# ------------------------------------------------------------------------------------------------
toml_value <- function(v, where) {
  v <- trimws(v)
  if (startsWith(v, "\"")) {
    m <- regmatches(v, regexec("^\"((\\\\.|[^\"\\\\])*)\"\\s*(#.*)?$", v))[[1]]
    if (!length(m)) stop(where, ": cannot read ", v, call. = FALSE)
    return(gsub("\\\\(.)", "\\1", m[2]))
  }
  if (startsWith(v, "'")) return(sub("^'([^']*)'\\s*(#.*)?$", "\\1", v))
  v <- trimws(sub("#.*$", "", v))
  if (startsWith(v, "[")) {
    inner <- trimws(sub("^\\[(.*)\\]$", "\\1", v))
    if (!nzchar(inner)) return(list())
    parts <- trimws(strsplit(inner, ",")[[1]])
    return(lapply(parts[nzchar(parts)], toml_value, where = where))
  }
  if (v %in% c("true", "false")) return(v == "true")
  if (startsWith(v, "{")) return(v) # inline tables are not used by SPOT
  n <- suppressWarnings(as.numeric(gsub("_", "", v)))
  if (is.na(n)) stop(where, ": cannot read ", v, call. = FALSE)
  n
}

read_spec <- function(path) {
  spec <- list()
  cur <- NULL # where keys go: "macro", c("scenario", n) or c("scenario", n, "scheme", m)
  for (ln in readLines(path, warn = FALSE)) {
    t <- trimws(ln)
    if (!nzchar(t) || startsWith(t, "#")) next
    if (grepl("^\\[\\[", t)) {
      name <- trimws(sub("^\\[\\[([^]]+)\\]\\].*$", "\\1", t))
      if (name == "scenario.scheme") {
        s <- length(spec$scenario)
        if (s == 0) stop(path, ": [[scenario.scheme]] before any [[scenario]]", call. = FALSE)
        m <- length(spec$scenario[[s]]$scheme) + 1
        if (m == 1) spec$scenario[[s]]$scheme <- list()
        spec$scenario[[s]]$scheme[[m]] <- list(.new = TRUE)
        cur <- list("scenario", s, "scheme", m)
      } else if (!grepl(".", name, fixed = TRUE)) {
        if (is.null(spec[[name]])) spec[[name]] <- list()
        n <- length(spec[[name]]) + 1
        spec[[name]][[n]] <- list(.new = TRUE)
        cur <- list(name, n)
      } else {
        stop(path, ": array of tables [[", name, "]] is not understood", call. = FALSE)
      }
    } else if (grepl("^\\[", t)) {
      name <- trimws(sub("^\\[([^]]+)\\].*$", "\\1", t))
      spec[[name]] <- list(.new = TRUE)
      cur <- list(name)
    } else {
      key <- sub("\\s*=.*$", "", t)
      if (is.null(cur) || !grepl("^[A-Za-z_][A-Za-z0-9_]*$", key)) {
        stop(path, ": cannot read line: ", t, call. = FALSE)
      }
      val <- toml_value(sub("^[^=]*=", "", t), paste0(path, ": ", paste(unlist(cur), collapse = "."), ".", key))
      val <- list(val) # list(): assigning an empty array must not delete the key
      if (length(cur) == 1) {
        spec[[cur[[1]]]][key] <- val
      } else if (length(cur) == 2) {
        spec[[cur[[1]]]][[cur[[2]]]][key] <- val
      } else {
        spec$scenario[[cur[[2]]]]$scheme[[cur[[4]]]][key] <- val
      }
    }
  }
  # Drop the markers that kept new tables from being empty lists.
  drop <- function(x) {
    if (!is.list(x)) return(x)
    x[[".new"]] <- NULL
    lapply(x, drop)
  }
  drop(spec)
}

spec <- read_spec(spec_path)
or <- function(x, default) if (is.null(x)) default else x
wave <- spec$wave[[length(spec$wave)]]
macro <- spec[["macro"]]
spot_opt <- or(spec$spot, list())
proj <- or(spec$projection, list())
proj <- list(
  horizon = or(proj$horizon, 10), real_gdp_growth = or(proj$real_gdp_growth, 0.05),
  inflation = or(proj$inflation, 0.03), growth_children = or(proj$growth_children, -0.002),
  growth_working = or(proj$growth_working, 0.009), growth_elderly = or(proj$growth_elderly, 0.035)
)
spot_seed <- or(spot_opt$seed, 20301231)
intl <- unlist(or(spot_opt$international_lines, list(3.00, 4.20, 8.30)))
if (!identical(or(wave$unit, "person"), "person")) stop("only person-level waves are supported", call. = FALSE)
national_line <- or(wave$poverty_line, macro$national_poverty_line)
lines <- c(national_line, intl * macro$ppp_factor * macro$cpi_ratio * 365 / 12)
line_ids <- c("national", sprintf("usd%.2f", intl))

# Schemes with the spec's defaults filled in.
scheme_defaults <- function(s) {
  s$benefit_unit <- or(s$benefit_unit, "lcu_month")
  s$coverage <- or(s$coverage, 1)
  s$admin_cost <- or(s$admin_cost, 0)
  s$exclusion_error <- or(s$exclusion_error, 0)
  s$inclusion_error <- or(s$inclusion_error, 0)
  if (s$kind == "custom") stop("custom schemes (SQL eligibility) are not supported here", call. = FALSE)
  if (s$kind == "household" && !is.null(s$eligible)) stop("household schemes with `eligible` are not supported here", call. = FALSE)
  s
}
scenarios <- lapply(spec$scenario, function(sc) {
  sc$schemes <- lapply(sc$scheme, scheme_defaults)
  sc$scheme <- NULL
  sc
})
# The variants of analyses.rs: benefit x 1.5; coverage 0.7 for even-indexed scenarios (0-based).
base <- scenarios
for (k in seq_along(base) - 1) {
  v <- base[[k + 1]]
  v$id <- paste0(v$id, "_variant")
  v$schemes <- lapply(v$schemes, function(s) {
    s$benefit <- s$benefit * 1.5
    if (k %% 2 == 0) s$coverage <- 0.7
    s
  })
  scenarios[[length(scenarios) + 1]] <- v
}
draws <- function(sc) any(vapply(sc$schemes, function(s) s$coverage < 1 || s$exclusion_error > 0 || s$inclusion_error > 0, TRUE))

# `col = value` expressions (SQL: a NULL column gives NULL, here NA).
simple_expr <- function(text, what) {
  m <- regmatches(text, regexec("^\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*=\\s*('([^']*)'|-?[0-9.]+)\\s*$", text))[[1]]
  if (!length(m)) stop(what, ": only `column = value` expressions are supported here, not ", text, call. = FALSE)
  list(column = m[2], value = if (startsWith(m[3], "'")) m[4] else as.numeric(m[3]))
}
head_expr <- simple_expr(or(wave$head, ""), "wave.head")

# ------------------------------------------------------------------------------------------------
# Load (not timed)
# ------------------------------------------------------------------------------------------------
t0 <- proc.time()[["elapsed"]]
needed <- unique(c(wave$household_id, wave$weight, wave$strata, wave$psu, wave$household_size,
                   wave$welfare, wave$urban, wave$age, head_expr$column,
                   unlist(lapply(scenarios, function(sc) lapply(sc$schemes, function(s) {
                     c(if (s$kind == "disability") or(s$column, "disability"),
                       if (s$kind == "maternity") or(s$column, "recent_birth"),
                       if (!is.null(s$exclude)) simple_expr(s$exclude, "exclude")$column,
                       s$target_score)
                   })))))
header <- strsplit(readLines(csv_path, n = 1), ",")[[1]]
missing_cols <- setdiff(needed, header)
if (length(missing_cols)) stop("columns not in the CSV: ", paste(missing_cols, collapse = ", "), call. = FALSE)
text_cols <- c(wave$strata, wave$urban, head_expr$column)
classes <- ifelse(header %in% needed, ifelse(header %in% text_cols, "character", "numeric"), "NULL")
d <- read.csv(csv_path, colClasses = classes, na.strings = "") # polars writes NULL as ""
t_load <- proc.time()[["elapsed"]] - t0
cat(sprintf("loaded %s: %d persons, %d columns kept, in %.1f s (not timed)\n", csv_path, nrow(d), ncol(d), t_load))

# ------------------------------------------------------------------------------------------------
# Setup: households and design (timed separately; inside Rust's timer)
# ------------------------------------------------------------------------------------------------
gsum <- function(x, g, n) {
  # Sums of x (vector or matrix columns) by integer group g in 1..n, empty groups 0.
  r <- rowsum(x, g, reorder = TRUE)
  out <- matrix(0, n, NCOL(x))
  out[as.integer(rownames(r)), ] <- r
  if (is.matrix(x)) out else out[, 1]
}

setup <- function() {
  P <- list()
  ids <- d[[wave$household_id]]
  if (anyNA(ids)) stop("missing household id", call. = FALSE)
  P$hh <- match(ids, unique(ids))
  P$first_row <- which(!duplicated(ids))
  nh <- length(P$first_row)
  P$nh <- nh
  P$pw <- as.numeric(d[[wave$weight]])
  P$persons <- gsum(P$pw, P$hh, nh)
  P$welfare <- d[[wave$welfare]][P$first_row]
  P$size <- d[[wave$household_size]][P$first_row]
  P$hhw <- P$pw[P$first_row]
  P$age <- if (is.null(wave$age)) rep(30, nrow(d)) else d[[wave$age]]
  if (!is.null(wave$urban)) {
    u <- d[[wave$urban]][P$first_row]
    u[is.na(u)] <- "(missing)"
    P$area_names <- sort(unique(u))
    P$area <- match(u, P$area_names)
  }
  # Fixed pre-transfer deciles of persons (stable order, weight-range midpoint).
  o <- order(P$welfare, method = "radix")
  cw <- cumsum(P$persons[o])
  dec <- integer(nh)
  dec[o] <- pmin(floor(10 * (cw - P$persons[o] / 2) / sum(P$persons)) + 1, 10)
  P$decile <- dec
  P$poor <- P$welfare < national_line
  # Design: PSU within stratum, numbered in order of first appearance.
  strata <- d[[wave$strata]]
  s_code <- match(strata, unique(strata))
  key <- paste(s_code, d[[wave$psu]], sep = "\r")
  psu <- match(key, unique(key))
  first_psu <- which(!duplicated(key))
  P$psu_stratum <- s_code[first_psu]
  P$n_psu <- length(first_psu)
  P$stratum_psus <- tabulate(P$psu_stratum, max(s_code))
  P$hh_psu <- psu[P$first_row]
  P
}

t0 <- proc.time()[["elapsed"]]
P <- setup()
t_setup <- proc.time()[["elapsed"]] - t0
cat(sprintf("setup (households, deciles, design): %d households, %d PSUs in %d strata, %.2f s\n",
            P$nh, P$n_psu, length(P$stratum_psus), t_setup))

# ------------------------------------------------------------------------------------------------
# Measures
# ------------------------------------------------------------------------------------------------
# Linearised SEs of ratios sum(wy)/sum(w) from PSU totals (one column per ratio), as variance.rs.
ratio_se <- function(psu_w, psu_wy) {
  W <- sum(psu_w)
  R <- colSums(psu_wy) / W
  t <- (psu_wy - outer(psu_w, R)) / W
  s <- P$psu_stratum
  n <- P$stratum_psus
  sums <- gsum(t, s, length(n))
  dev <- t - (sums / n)[s, , drop = FALSE]
  v <- gsum(dev * dev, s, length(n))
  keep <- n > 1
  sqrt(colSums(v[keep, , drop = FALSE] * (n[keep] / (n[keep] - 1))))
}

distribution <- function(y, w) {
  o <- order(y, method = "radix")
  ys <- y[o]
  ws <- w[o]
  cw <- cumsum(ws)
  N <- cw[length(cw)]
  wy <- ws * ys
  Tt <- sum(wy)
  gini <- (2 * sum(wy * cw) - sum(ws * wy)) / (N * Tt) - 1
  dec <- pmin(floor(10 * (cw - ws / 2) / sum(w)) + 1, 10)
  share <- gsum(wy, dec, 10) / Tt
  b40 <- sum(share[1:4])
  total_w <- sum(w)
  mu <- sum(w * y) / total_w
  pos <- y > 0
  r <- y[pos] / mu
  theil <- sum(w[pos] * r * log(r)) / total_w
  # FGT at each line, and the PSU totals for the linearised SEs.
  cols <- matrix(0, length(y), 2 * length(lines))
  pov <- vector("list", length(lines))
  for (k in seq_along(lines)) {
    z <- lines[k]
    g <- pmax(z - y, 0) / z
    hw <- w * (y < z)
    gw <- w * g
    cols[, 2 * k - 1] <- hw
    cols[, 2 * k] <- gw
    pov[[k]] <- list(line = line_ids[k], headcount = sum(hw) / total_w, gap = sum(gw) / total_w,
                     severity = sum(gw * g) / total_w)
  }
  se <- ratio_se(gsum(w, P$hh_psu, P$n_psu), gsum(cols, P$hh_psu, P$n_psu))
  for (k in seq_along(lines)) {
    pov[[k]]$headcount_se <- se[2 * k - 1]
    pov[[k]]$gap_se <- se[2 * k]
  }
  list(poverty = pov, gini = gini, theil = theil, mean_welfare = mu, bottom40_share = b40,
       top10_share = share[10], palma = share[10] / b40,
       s80s20 = (share[9] + share[10]) / (share[1] + share[2]))
}

ratio0 <- function(a, b) ifelse(b > 0, a / b, 0)

incidence <- function(after, transfers) {
  got <- transfers > 0
  a <- gsum(cbind(P$persons, P$persons * P$welfare, P$persons * after, P$persons * got,
                  P$hhw * transfers), P$decile, 10)
  lapply(1:10, function(k) list(
    decile = k, population_share = a[k, 1] / sum(a[, 1]), mean_before = ratio0(a[k, 2], a[k, 1]),
    mean_after = ratio0(a[k, 3], a[k, 1]), change_pct = 100 * ratio0(a[k, 3] - a[k, 2], a[k, 2]),
    coverage = ratio0(a[k, 4], a[k, 1]), benefit_share = ratio0(a[k, 5], sum(a[, 5]))))
}

areas <- function(after, transfers) {
  if (is.null(P$area)) return(list())
  n <- length(P$area_names)
  a <- gsum(cbind(P$persons, P$persons * P$poor, P$persons * (after < national_line),
                  P$persons * (transfers > 0)), P$area, n)
  lapply(seq_len(n), function(k) list(
    area = P$area_names[k], population_share = a[k, 1] / sum(P$persons),
    headcount_before = a[k, 2] / a[k, 1], headcount_after = a[k, 3] / a[k, 1], coverage = a[k, 4] / a[k, 1]))
}

# Reach of the bottom 40% (pre-transfer deciles 1-4) and the rural population: every member of a
# household shares its values, so household sums with summed person weights equal the row sums.
reach <- function(after, transfers) {
  groups <- list(bottom40 = P$decile <= 4)
  if (!is.null(P$area)) {
    k <- match("rural", tolower(P$area_names))
    if (!is.na(k)) groups$rural <- P$area == k
  }
  lapply(names(groups), function(id) {
    g <- groups[[id]]
    w <- P$persons[g]
    W <- sum(w)
    list(id = id, coverage = ratio0(sum(w[transfers[g] > 0]), W),
         gain_pct = 100 * ratio0(sum(w * (after[g] - P$welfare[g])), sum(w * P$welfare[g])),
         headcount_before = ratio0(sum(w[P$poor[g]]), W),
         headcount_after = ratio0(sum(w[after[g] < national_line]), W))
  })
}

fgt0 <- function(y) sum(P$persons[y < national_line]) / sum(P$persons)
annual_cost <- function(n, benefit, admin) n * 1 * benefit * 12 * (1 + admin)

monthly_benefit <- function(s) {
  switch(s$benefit_unit,
         lcu_month = s$benefit,
         pct_gdp_per_capita = s$benefit / 100 * macro$gdp_per_capita / 12,
         pct_poverty_line = s$benefit / 100 * national_line,
         stop("benefit_unit ", s$benefit_unit, call. = FALSE))
}

eligibility <- function(s) {
  e <- switch(s$kind,
    child = , old_age = {
      a <- P$age
      ok <- !is.na(a)
      if (!is.null(s$min_age)) ok <- ok & a >= s$min_age
      if (!is.null(s$max_age)) ok <- ok & a <= s$max_age
      ok
    },
    disability = , maternity = {
      x <- d[[or(s$column, if (s$kind == "disability") "disability" else "recent_birth")]]
      !is.na(x) & x == 1
    },
    universal = rep(TRUE, nrow(d)),
    household = {
      x <- d[[head_expr$column]]
      !is.na(x) & x == head_expr$value
    },
    stop("scheme kind ", s$kind, " is not supported here", call. = FALSE))
  if (!is.null(s$exclude)) {
    ex <- simple_expr(s$exclude, "exclude")
    x <- d[[ex$column]]
    e <- e & !(!is.na(x) & x == ex$value) # NULL is not excluded (fill_null(false).not())
  }
  e & !is.na(e)
}

targeted <- function(s) {
  score <- if (is.null(s$target_score)) P$welfare else d[[s$target_score]][P$first_row]
  if (anyNA(score)) stop("target score missing for a household", call. = FALSE)
  o <- order(score, method = "radix")
  cw <- cumsum(P$persons[o])
  inside <- logical(P$nh)
  inside[o] <- (cw - P$persons[o] / 2) / sum(P$persons) < s$target_bottom
  if (s$exclusion_error > 0 || s$inclusion_error > 0) {
    u <- runif(P$nh)
    inside <- ifelse(inside, u >= s$exclusion_error, u < s$inclusion_error)
  }
  inside
}

project <- function(bases, year) {
  lapply(0:proj$horizon, function(t) {
    price <- (1 + proj$inflation)^t
    b <- 0
    cost <- 0
    for (s in bases) {
      n <- s$children * (1 + proj$growth_children)^t + s$working * (1 + proj$growth_working)^t +
        s$elderly * (1 + proj$growth_elderly)^t
      b <- b + n
      cost <- cost + annual_cost(n, s$benefit * price, s$admin)
    }
    gdp_t <- macro$gdp * ((1 + proj$real_gdp_growth) * (1 + proj$inflation))^t
    list(year = year + t, beneficiaries = b, cost_lcu = cost, gdp_lcu = gdp_t, cost_pct_gdp = 100 * cost / gdp_t)
  })
}

simulate <- function(i, sc) {
  transfers <- numeric(P$nh)
  direct <- logical(nrow(d))
  schemes <- list()
  bases <- list()
  for (k in seq_along(sc$schemes)) {
    s <- sc$schemes[[k]]
    set.seed((spot_seed + 65537 * i + 257 * k) %% 2147483647) # one stream per (scenario, scheme)
    eligible <- eligibility(s)
    benefit <- monthly_benefit(s)
    if (!is.null(s$target_bottom)) eligible <- eligible & targeted(s)[P$hh]
    cand <- which(eligible)
    per_household <- s$kind == "household"
    w <- if (per_household) P$hhw[P$hh[cand]] else P$pw[cand]
    elig_w <- sum(w)
    if (s$coverage < 1) {
      keep <- runif(length(cand)) < s$coverage
      cand <- cand[keep]
      w <- w[keep]
    }
    transfers <- transfers + benefit * tabulate(P$hh[cand], P$nh)
    if (benefit > 0) direct[cand] <- TRUE
    a <- P$age[cand]
    child <- !is.na(a) & a < 15
    working <- !is.na(a) & a >= 15 & a < 65
    rec_w <- sum(w)
    cost <- annual_cost(rec_w, benefit, s$admin_cost)
    schemes[[k]] <- list(label = or(s$label, s$kind), benefit_monthly_lcu = benefit, eligible = elig_w,
                         recipients = rec_w, recipients_n = length(cand), cost_lcu = cost)
    bases[[k]] <- list(children = sum(w[child]), working = sum(w[working]),
                       elderly = sum(w[!child & !working]), benefit = benefit, admin = s$admin_cost)
  }
  cost <- sum(vapply(schemes, `[[`, 0, "cost_lcu"))
  after <- P$welfare + transfers / P$size
  gap <- function(y) sum(P$persons * pmax(national_line - y, 0))
  paid <- P$hhw * transfers
  list(
    id = sc$id, draws = draws(sc), schemes = schemes, after = distribution(after, P$persons),
    deciles = incidence(after, transfers), areas = areas(after, transfers),
    cost_lcu = cost, cost_pct_gdp = 100 * cost / macro$gdp,
    cost_pct_revenue = 100 * cost / macro$government_revenue,
    direct_recipients = sum(P$pw[direct]), people_in_recipient_households = sum(P$persons[transfers > 0]),
    gap_closed_per_lcu = if (cost > 0) (gap(P$welfare) - gap(after)) * 12 / cost else 0,
    share_to_poor = ratio0(sum(paid[P$poor]), sum(paid)),
    headcount_reduction = fgt0(P$welfare) - fgt0(after),
    projection = project(bases, wave$year), reach = reach(after, transfers))
}

simulate_wave <- function() {
  none <- numeric(P$nh)
  list(baseline = distribution(P$welfare, P$persons), baseline_deciles = incidence(P$welfare, none),
       baseline_areas = areas(P$welfare, none),
       scenarios = lapply(seq_along(scenarios), function(i) simulate(i - 1, scenarios[[i]])))
}

# ------------------------------------------------------------------------------------------------
# Timed: baseline + all scenarios, best of `runs`
# ------------------------------------------------------------------------------------------------
times <- numeric(runs)
for (r in seq_len(runs)) {
  gc(verbose = FALSE)
  t0 <- proc.time()[["elapsed"]]
  res <- simulate_wave()
  times[r] <- proc.time()[["elapsed"]] - t0
}
cat(sprintf("SPOT in R, %d scenarios (baseline + scenarios, poverty at %d lines with linearised SEs, inequality, deciles, areas, bottom 40 and rural reach, projection): %.3f s (best of %d; runs %s)\n",
            length(scenarios), length(lines), min(times), runs, paste(sprintf("%.3f", times), collapse = ", ")))
cat(sprintf("setup + best run: %.3f s (Rust's timer covers both)\n\n", t_setup + min(times)))

cat(sprintf("%-24s %5s %14s %14s %14s %12s\n", "scenario", "draws", "headcount", "gini", "cost % GDP", "reduction pp"))
cat(sprintf("%-24s %5s %14.10f %14.10f %14s %12s\n", "(baseline)", "", res$baseline$poverty[[1]]$headcount,
            res$baseline$gini, "", ""))
for (s in res$scenarios) {
  cat(sprintf("%-24s %5s %14.10f %14.10f %14.10f %12.4f\n", s$id, if (s$draws) "yes" else "no",
              s$after$poverty[[1]]$headcount, s$after$gini, s$cost_pct_gdp, 100 * s$headcount_reduction))
}

# ------------------------------------------------------------------------------------------------
# Flattening (for --csv and --compare): arrays of records are keyed by their id/line/area/decile/year
# ------------------------------------------------------------------------------------------------
flatten <- function(x, prefix = "") {
  out <- numeric(0)
  if (is.list(x)) {
    nm <- names(x)
    for (j in seq_along(x)) {
      el <- x[[j]]
      key <- if (!is.null(nm) && nzchar(nm[j])) nm[j] else {
        k <- NULL
        if (is.list(el)) for (f in c("id", "line", "area", "decile", "year", "label")) {
          if (!is.null(el[[f]])) { k <- as.character(el[[f]]); break }
        }
        if (is.null(k)) as.character(j) else k
      }
      out <- c(out, flatten(el, if (nzchar(prefix)) paste0(prefix, ".", key) else key))
    }
  } else if (is.numeric(x) && length(x) == 1) {
    out[prefix] <- x
  }
  out
}

if (!is.null(csv_out)) {
  rows <- do.call(rbind, c(
    list(data.frame(scenario = "(baseline)", measure = names(f <- flatten(res[c("baseline", "baseline_deciles", "baseline_areas")])), value = unname(f))),
    lapply(res$scenarios, function(s) {
      f <- flatten(s[setdiff(names(s), c("id", "draws"))])
      data.frame(scenario = s$id, measure = names(f), value = unname(f))
    })))
  rows$value <- sprintf("%.17g", rows$value) # write.csv would keep only 15 digits
  write.csv(rows, csv_out, row.names = FALSE, quote = c(1, 2))
  cat(sprintf("\nwrote %d values to %s\n", nrow(rows), csv_out))
}

if (!is.null(compare_path)) {
  if (!requireNamespace("jsonlite", quietly = TRUE)) stop("--compare needs the jsonlite package", call. = FALSE)
  if (!file.exists(compare_path)) stop("not found: ", compare_path, call. = FALSE)
  rust <- jsonlite::fromJSON(compare_path, simplifyVector = FALSE)$spot
  if (is.null(rust$scenarios)) stop(compare_path, " has no spot.scenarios", call. = FALSE)
  scaled <- function(a, b) abs(a - b) / pmax(1, abs(a), abs(b)) # absolute below 1, relative above
  worst <- function(fr, ff) {
    common <- intersect(names(fr), names(ff))
    dif <- scaled(fr[common], ff[common])
    list(n = length(common), max = max(dif), at = common[which.max(dif)])
  }
  cat(sprintf("\nComparison with %s (differences: absolute below 1, relative above)\n", compare_path))
  b <- worst(flatten(res[c("baseline", "baseline_deciles", "baseline_areas")]),
             flatten(rust[c("baseline", "baseline_deciles", "baseline_areas")]))
  cat(sprintf("baseline: %d values, largest difference %.2e (%s)\n\n", b$n, b$max, b$at))
  cat(sprintf("%-16s %5s | %-38s | %-38s | %-38s | %s\n", "scenario", "draws", "headcount after: R / Rust / diff",
              "Gini after: R / Rust / diff", "cost % GDP: R / Rust / diff", "all fields: n, largest diff (where)"))
  for (s in res$scenarios) {
    rs <- Filter(function(x) identical(x$id, s$id), rust$scenarios)
    if (!length(rs)) next
    rs <- rs[[1]]
    pair <- function(a, b) sprintf("%.10f %.10f %+.1e", a, b, a - b)
    fr <- flatten(s[setdiff(names(s), c("id", "draws"))])
    ff <- flatten(rs[setdiff(names(rs), c("id", "label", "not_poor", "reach_furthest_behind", "headcount_reduction_se"))])
    ff <- ff[!grepl("^reach\\.", names(ff)) | grepl("^reach\\.(bottom40|rural)\\.", names(ff))]
    ff <- ff[!grepl("_se$", names(ff)) | grepl("^after\\.poverty\\.", names(ff))] # bootstrap SEs: not here
    w <- worst(fr, ff)
    cat(sprintf("%-16s %5s | %s | %s | %s | %d, %.2e (%s)\n", s$id, if (s$draws) "yes" else "no",
                pair(s$after$poverty[[1]]$headcount, rs$after$poverty[[1]]$headcount),
                pair(s$after$gini, rs$after$gini), pair(s$cost_pct_gdp, rs$cost_pct_gdp), w$n, w$max, w$at))
  }
  cat("Scenarios without draws (full coverage, no targeting errors) should agree to ~1e-12; the others\n",
      "use R's random numbers instead of Rust's ChaCha stream and differ by sampling noise.\n", sep = "")
}
