# Independent R reference values for the LNOB analysis (tree + D-index + Shapley + HOI + WB logit D).
#
# Run from the repository root:   Rscript tests/reference/lnob_reference.R
# Writes tests/fixtures/lnob/NAME.csv and NAME.json for every case below.
# Everything is deterministic (fixed RNG kind and seeds, C collation).

invisible(Sys.setlocale("LC_COLLATE", "C"))
RNGkind("Mersenne-Twister", "Inversion", "Rejection")
suppressPackageStartupMessages({
  library(rpart)
  library(jsonlite)
})

outdir <- file.path("tests", "fixtures", "lnob")
dir.create(outdir, recursive = TRUE, showWarnings = FALSE)

R_VERSION <- paste(R.version$major, R.version$minor, sep = ".")
RPART_VERSION <- as.character(packageVersion("rpart"))
JSONLITE_VERSION <- as.character(packageVersion("jsonlite"))

wmean <- function(y, w) sum(w * y) / sum(w)

# ---------------------------------------------------------------------------------------------
# D-index, HOI and Shapley straight from docs/methods.md ('D-index and Human Opportunity Index',
# 'Shapley decomposition of D'):
#   cells = every non-empty combination of the circumstances' values (numeric values = levels),
#   D = (1 / (2 pbar)) * sum_k beta_k |p_k - pbar|,  HOI = pbar (1 - D),
#   Shapley: v(S) = D on the cells of S, v(empty) = 0, average marginal contribution.
# ---------------------------------------------------------------------------------------------
cell_D <- function(df, vars, y, w) {
  if (length(vars) == 0) return(0)
  pbar <- wmean(y, w)
  key <- do.call(paste, c(lapply(df[vars], as.character), sep = "\r"))
  W <- tapply(w, key, sum)
  Wy <- tapply(w * y, key, sum)
  p <- Wy / W
  beta <- W / sum(w)
  sum(beta * abs(p - pbar)) / (2 * pbar)
}

dindex_all <- function(df, vars, y, w) {
  n <- length(vars)
  pbar <- wmean(y, w)
  masks <- 0:(2^n - 1)
  members <- function(mask) vars[bitwAnd(mask, 2^(0:(n - 1))) > 0]
  v <- vapply(masks, function(m) cell_D(df, members(m), y, w), numeric(1))
  names(v) <- as.character(masks)
  D <- v[as.character(2^n - 1)]
  subsets <- list()
  # non-empty subsets, listed by size then by circumstance order
  ord <- masks[-1]
  sz <- vapply(ord, function(m) length(members(m)), integer(1))
  lexkey <- vapply(ord, function(m) paste(sprintf("%02d", which(vars %in% members(m))), collapse = ""), "")
  ord <- ord[order(sz, lexkey)]
  for (m in ord) subsets[[paste(members(m), collapse = ",")]] <- unname(v[as.character(m)])
  shap <- list()
  for (j in seq_len(n)) {
    bj <- 2^(j - 1)
    tot <- 0
    for (m in masks) {
      if (bitwAnd(m, bj) > 0) next
      s <- length(members(m))
      wt <- factorial(s) * factorial(n - s - 1) / factorial(n)
      tot <- tot + wt * (v[as.character(m + bj)] - v[as.character(m)])
    }
    shap[[vars[j]]] <- unname(tot)
  }
  list(pbar = pbar, D = unname(D), HOI = unname(pbar * (1 - D)),
       D_subsets = subsets, shapley = shap)
}

# ---------------------------------------------------------------------------------------------
# Tree helpers
# ---------------------------------------------------------------------------------------------
primary_split_rows <- function(fit) {
  fr <- fit$frame
  is.leaf <- fr$var == "<leaf>"
  index <- cumsum(c(1, fr$ncompete + fr$nsurrogate + !is.leaf))
  r <- index[seq_len(nrow(fr))]
  r[is.leaf] <- NA
  names(r) <- rownames(fr)
  r
}

# Structured condition for going from node `parent` to child `child`.
step_condition <- function(fit, df, parent, child) {
  prow <- primary_split_rows(fit)[as.character(parent)]
  sp <- fit$splits[prow, , drop = FALSE]
  var <- rownames(fit$splits)[prow]
  ncat <- sp[1, "ncat"]
  left <- (child %% 2) == 0
  x <- df[[var]]
  if (ncat > 1) {
    code <- fit$csplit[sp[1, "index"], ]
    want <- if (left) 1L else 3L
    return(list(var = var, levels = I(levels(x)[code == want])))
  }
  cut <- unname(sp[1, "index"])
  # ncat = -1: left is x < cut; ncat = +1: left is x >= cut
  op <- if ((ncat < 0) == left) "<" else ">="
  if (is.factor(x)) {           # ordered factor: threshold on the integer codes
    k <- seq_along(levels(x))
    ok <- if (op == "<") k < cut else k >= cut
    return(list(var = var, levels = I(levels(x)[ok])))
  }
  list(var = var, op = op, value = cut)
}

leaf_info <- function(fit, df) {
  fr <- fit$frame
  nodes <- as.integer(rownames(fr))
  out <- list()
  for (i in which(fr$var == "<leaf>")) {
    nd <- nodes[i]
    chain <- nd
    while (chain[1] > 1) chain <- c(chain[1] %/% 2, chain)
    path <- list()
    if (length(chain) > 1)
      for (s in 2:length(chain)) path[[s - 1]] <- step_condition(fit, df, chain[s - 1], chain[s])
    ptxt <- path.rpart(fit, nodes = nd, print.it = FALSE)[[1]]
    out[[length(out) + 1]] <- list(node = nd, depth = length(chain) - 1L, n = fr$n[i],
                                   weight = fr$wt[i], rate = fr$yval[i],
                                   path = path, path_text = I(ptxt))
  }
  out
}

# One split row of fit$splits (primary, competitor or surrogate) as data: a factor's levels going
# left and right (csplit codes 1 and 3; 2 = level absent from the node), or a number's cut and
# whether values below it go left (ncat = -1).
split_rule <- function(fit, df, r) {
  var <- rownames(fit$splits)[r]
  ncat <- fit$splits[r, "ncat"]
  x <- df[[var]]
  if (ncat > 1) {
    code <- fit$csplit[fit$splits[r, "index"], seq_along(levels(x))]
    return(list(var = var, left = I(levels(x)[code == 1L]), right = I(levels(x)[code == 3L])))
  }
  list(var = var, cut = unname(fit$splits[r, "index"]), below_left = ncat < 0)
}

# Every node as rpart's print and summary show it: n, weight, deviance (frame$dev), mean; for an
# internal node its primary split with `improve` (the deviance drop as a share of frame$dev) and
# its surrogate splits with agree (the `improve` column of a surrogate row) and adj.
node_info <- function(fit, df) {
  fr <- fit$frame
  pr <- primary_split_rows(fit)
  lapply(seq_len(nrow(fr)), function(i) {
    out <- list(node = as.integer(rownames(fr)[i]), n = fr$n[i], weight = fr$wt[i],
                deviance = fr$dev[i], rate = fr$yval[i])
    if (fr$var[i] != "<leaf>") {
      r <- pr[[i]]
      out$split <- c(split_rule(fit, df, r), list(improve = unname(fit$splits[r, "improve"])))
      r0 <- r + fr$ncompete[i]
      out$surrogates <- lapply(seq_len(fr$nsurrogate[i]), function(k)
        c(split_rule(fit, df, r0 + k), list(agree = unname(fit$splits[r0 + k, "improve"]),
                                            adj = unname(fit$splits[r0 + k, "adj"]))))
    }
    out
  })
}

# ESCAP's build_tree (unescap/LNOB_Rcode, Rfiles/TreeAndLogistic.R) passes the real numbers
# min_node = max(49, N/11) and 2 * min_node; rpart's C code truncates both to integers, so
# minbucket = floor(m) and minsplit = floor(2 m), which is one more than 2 floor(m) whenever the
# fractional part of N/11 is at least 0.5.
fit_tree <- function(df, vars, N, m, maxsurrogate = 5, maxdepth = 6, minbucket = m) {
  fml <- as.formula(paste("y ~", paste(vars, collapse = " + ")))
  rpart(fml, data = df, weights = w, method = "anova",
        control = rpart.control(cp = 1 / N, maxdepth = maxdepth, minbucket = minbucket,
                                minsplit = 2 * minbucket, xval = 0,
                                maxsurrogate = maxsurrogate))
}
escap_min_node <- function(N) max(49, N / 11)

# ---------------------------------------------------------------------------------------------
# World Bank variant: weighted logit, main effects, factors (ordered too) as treatment dummies.
# ---------------------------------------------------------------------------------------------
wb_logit <- function(df, vars) {
  # A circumstance identical to an earlier one adds only aliased columns (same fitted values);
  # R's glm.fit does not converge when given start values for aliased columns, so drop it.
  dup <- vapply(seq_along(vars), function(j) j > 1 && any(vapply(vars[seq_len(j - 1)], function(u)
    identical(as.character(df[[u]]), as.character(df[[vars[j]]])), logical(1))), logical(1))
  dropped <- vars[dup]
  vars <- vars[!dup]
  d2 <- df
  for (v in vars) if (is.ordered(d2[[v]])) d2[[v]] <- factor(as.character(d2[[v]]), levels = levels(d2[[v]]))
  fml <- as.formula(paste("y ~", paste(vars, collapse = " + ")))
  pbar <- wmean(df$y, df$w)
  X <- model.matrix(fml, d2)
  start <- c(qlogis(pbar), rep(0, ncol(X) - 1))
  g <- suppressWarnings(glm(fml, data = d2, family = quasibinomial(), weights = w,
                            start = start, control = glm.control(epsilon = 1e-14, maxit = 100)))
  stopifnot(g$converged)
  phat <- fitted(g)
  D <- sum(df$w * abs(phat - pbar)) / (2 * pbar * sum(df$w))
  cf <- coef(g)
  stopifnot(!anyNA(cf))
  out <- list(formula = paste("y ~", paste(vars, collapse = " + ")),
       note = paste0("factors (ordered ones too) as treatment-contrast dummies, first level = baseline; ",
                     "numeric as numeric; quasibinomial, prior weights w, start = (qlogis(pbar), 0, ...), ",
                     "epsilon 1e-14"),
       coefficients = as.list(cf), iterations = g$iter, D = D)
  if (length(dropped)) out$dropped <- paste0(dropped, " omitted: identical to an earlier circumstance (aliased)")
  out
}

# ---------------------------------------------------------------------------------------------
# Run one case: fit, print, write CSV + JSON
# ---------------------------------------------------------------------------------------------
run_case <- function(name, df, circ, extra = list(), check = NULL) {
  vars <- vapply(circ, `[[`, "", "name")
  N <- nrow(df)
  m <- escap_min_node(N)
  stopifnot(all(df$w > 0), all(df$y %in% c(0L, 1L)), !anyNA(df))
  fit <- fit_tree(df, vars, N, m)
  # rpart truncates the real-valued controls: the integer ones give the same tree.
  fit_int <- rpart(as.formula(paste("y ~", paste(vars, collapse = " + "))), data = df, weights = w,
                   method = "anova", control = rpart.control(cp = 1 / N, maxdepth = 6,
                     minbucket = floor(m), minsplit = floor(2 * m), xval = 0, maxsurrogate = 5))
  stopifnot(identical(fit$frame, fit_int$frame), identical(fit$splits, fit_int$splits))
  fit0 <- fit_tree(df, vars, N, m, maxsurrogate = 0)
  cat("\n================ ", name, ": N = ", N, ", minbucket = ", m, " ================\n", sep = "")
  print(fit, digits = 7)
  leaves <- leaf_info(fit, df)
  leaf_of_row <- as.integer(rownames(fit$frame))[fit$where]
  # sanity: leaf totals from the CSV column agree with the frame
  for (lf in leaves) {
    sel <- leaf_of_row == lf$node
    stopifnot(sum(sel) == lf$n, isTRUE(all.equal(sum(df$w[sel]), lf$weight)),
              isTRUE(all.equal(wmean(df$y[sel], df$w[sel]), lf$rate)))
  }
  di <- dindex_all(df, vars, df$y, df$w)
  lg <- wb_logit(df, vars)
  cat(sprintf("leaves = %d, pbar = %.10f, D = %.10f, HOI = %.10f, WB logit D = %.10f\n",
              length(leaves), di$pbar, di$D, di$HOI, lg$D))
  cat("Shapley: ", paste(sprintf("%s=%.10f", names(di$shapley), unlist(di$shapley)), collapse = " "),
      " (sum ", sprintf("%.10f", sum(unlist(di$shapley))), ")\n", sep = "")
  cat("variable importance: ", paste(sprintf("%s=%.6f", names(fit$variable.importance), fit$variable.importance), collapse = " "), "\n", sep = "")
  cat("variable importance (maxsurrogate=0): ", paste(sprintf("%s=%.6f", names(fit0$variable.importance), fit0$variable.importance), collapse = " "), "\n", sep = "")
  stopifnot(abs(sum(unlist(di$shapley)) - di$D) < 1e-12)

  # CSV
  csv <- df[vars]
  for (v in vars) if (is.factor(csv[[v]])) csv[[v]] <- as.character(csv[[v]])
  csv$y <- as.integer(df$y)
  csv$w <- df$w
  csv$leaf <- leaf_of_row
  for (v in vars) if (is.character(csv[[v]])) stopifnot(!any(grepl("[,\"\n]", csv[[v]])))
  fcsv <- file.path(outdir, paste0(name, ".csv"))
  write.table(csv, fcsv, sep = ",", quote = FALSE, row.names = FALSE, col.names = TRUE, eol = "\n")
  back <- read.csv(fcsv, stringsAsFactors = FALSE, check.names = FALSE)
  stopifnot(identical(as.numeric(back$w), as.numeric(df$w)), identical(back$leaf, leaf_of_row))

  circ_json <- lapply(circ, function(cc) {
    x <- df[[cc$name]]
    if (cc$kind == "numeric") list(name = cc$name, kind = cc$kind)
    else list(name = cc$name, kind = cc$kind, levels = I(levels(x)))
  })
  out <- c(list(case = name,
                r_version = R_VERSION, rpart_version = RPART_VERSION, jsonlite_version = JSONLITE_VERSION,
                circumstances = circ_json,
                N = N, total_weight = sum(df$w), minbucket = as.integer(floor(m)),
                minsplit = as.integer(floor(2 * m)), cp = 1 / N, maxdepth = 6L,
                leaves = leaves,
                nodes = node_info(fit, df),
                variable_importance = as.list(fit$variable.importance),
                variable_importance_nosurrogate = as.list(fit0$variable.importance),
                dindex = di,
                logit = lg),
           extra)
  txt <- toJSON(exact_numbers(out), auto_unbox = TRUE, digits = NA, pretty = TRUE,
                null = "null", na = "null", json_verbatim = TRUE)
  fjs <- file.path(outdir, paste0(name, ".json"))
  writeLines(txt, fjs, useBytes = TRUE)
  # full precision round trip check
  rb <- fromJSON(fjs, simplifyVector = FALSE)
  stopifnot(identical(rb$dindex$D, di$D), identical(rb$logit$D, lg$D), identical(rb$dindex$pbar, di$pbar))
  if (!is.null(check)) check(fit, fit0, di, lg, leaves)
  invisible(list(N = N, fit = fit, fit0 = fit0, di = di, lg = lg, leaves = leaves, m = m))
}

# jsonlite prints at most 15 significant digits; write every double with the shortest
# "%.{15,16,17}g" form that reads back to the identical double instead.
shortest <- function(x) {
  if (is.na(x)) return("null")
  stopifnot(is.finite(x))
  for (d in 15:17) { s <- sprintf("%.*g", d, x); if (as.numeric(s) == x) return(s) }
  s
}
exact_numbers <- function(x) {
  if (is.list(x)) {
    nm <- names(x)
    x <- lapply(x, exact_numbers)
    names(x) <- nm
    return(x)
  }
  if (is.double(x)) {
    nm <- names(x)
    if (length(x) == 1 && is.null(nm)) return(structure(shortest(x), class = "json"))
    stop("unexpected non-scalar double in JSON output")
  }
  x
}

ofactor <- function(x, lv) factor(x, levels = lv, ordered = TRUE)
ufactor <- function(x, lv = sort(unique(as.character(x)), method = "radix")) factor(x, levels = lv)

results <- list()

# =============================================================================================
# 1. escap_toy: the 12-cell table of tests/reference/escap_toy.md, expanded to 1200 rows
# =============================================================================================
toy <- data.frame(
  P = c("1", "1", "1", "1", "1", "1", "0", "0", "0", "0", "0", "0"),
  R = rep(rep(c("Rural", "Urban"), each = 3), 2),
  E = rep(c("Lower", "Secondary", "Higher"), 4),
  n = c(200, 120, 40, 60, 70, 30, 110, 150, 80, 50, 140, 150),
  k = c(40, 48, 24, 27, 42, 24, 55, 105, 68, 35, 126, 147),
  w = c(1.2, 1.1, 0.9, 0.8, 1.0, 0.7, 1.3, 1.0, 0.9, 1.1, 0.8, 0.6),
  stringsAsFactors = FALSE)
rows <- lapply(seq_len(nrow(toy)), function(i) {
  data.frame(P = toy$P[i], R = toy$R[i], E = toy$E[i],
             y = as.integer(seq_len(toy$n[i]) <= toy$k[i]), w = toy$w[i], stringsAsFactors = FALSE)
})
d1 <- do.call(rbind, rows)
d1$P <- ufactor(d1$P, c("0", "1"))
d1$R <- ufactor(d1$R, c("Rural", "Urban"))
d1$E <- ofactor(d1$E, c("Lower", "Secondary", "Higher"))

toy_check <- function(fit, fit0, di, lg, leaves) {
  tol <- 5e-11  # tests/reference/escap_toy.md prints the values to 10 decimals
  expect <- list(
    pbar = 0.5714285714, D = 0.1913387511, HOI = 0.4620921422,
    "P" = 0.1643284859, "R" = 0.1221770744, "E" = 0.1468776732, "P,R" = 0.1657827203,
    "P,E" = 0.1777587682, "R,E" = 0.1537425150,
    shP = 0.0797226975, shR = 0.0466388651, shE = 0.0649771885, wbD = 0.1988781141)
  got <- list(pbar = di$pbar, D = di$D, HOI = di$HOI,
              "P" = di$D_subsets[["P"]], "R" = di$D_subsets[["R"]], "E" = di$D_subsets[["E"]],
              "P,R" = di$D_subsets[["P,R"]], "P,E" = di$D_subsets[["P,E"]], "R,E" = di$D_subsets[["R,E"]],
              shP = di$shapley$P, shR = di$shapley$R, shE = di$shapley$E, wbD = lg$D)
  ok <- TRUE
  for (k in names(expect)) {
    good <- abs(got[[k]] - expect[[k]]) <= tol
    cat(sprintf("  check %-5s expected %.10f got %.12f %s\n", k, expect[[k]], got[[k]], if (good) "OK" else "MISMATCH"))
    ok <- ok && good
  }
  # leaves: (n, weight, rate) rounded to 6 decimals as printed in tests/reference/escap_toy.md
  exp_leaves <- rbind(c(260, 288, 0.241667), c(260, 259, 0.514286), c(160, 198, 0.555556),
                      c(230, 222, 0.748649), c(140, 112, 0.900000), c(150, 90, 0.980000))
  got_leaves <- t(vapply(leaves, function(l) c(l$n, l$weight, l$rate), numeric(3)))
  got_leaves <- got_leaves[order(got_leaves[, 3]), , drop = FALSE]
  lv_ok <- nrow(got_leaves) == 6 &&
    all(got_leaves[, 1] == exp_leaves[, 1]) &&
    all(abs(got_leaves[, 2] - exp_leaves[, 2]) < 1e-9) &&
    all(abs(got_leaves[, 3] - exp_leaves[, 3]) < 5e-7)
  cat("  check leaves (n, weight, rate) sorted by rate:", if (lv_ok) "OK" else "MISMATCH", "\n")
  print(got_leaves)
  vi <- fit$variable.importance
  vi_ok <- identical(names(vi), c("P", "E", "R")) &&
    all(abs(vi - c(41.401439, 28.342869, 8.635477)) < 5e-7)
  cat("  check variable importance P 41.401439, E 28.342869, R 8.635477:", if (vi_ok) "OK" else "MISMATCH", "\n")
  ok <- ok && lv_ok && vi_ok
  # saturated logit reproduces the cell D
  sat <- suppressWarnings(glm(y ~ P * R * factor(as.character(E)), data = d1, family = quasibinomial(),
                              weights = w, control = glm.control(epsilon = 1e-14, maxit = 100)))
  Dsat <- sum(d1$w * abs(fitted(sat) - di$pbar)) / (2 * di$pbar * sum(d1$w))
  sat_ok <- abs(Dsat - di$D) < 1e-9
  cat(sprintf("  check saturated logit D %.12f == cell D: %s\n", Dsat, if (sat_ok) "OK" else "MISMATCH"))
  ok <- ok && sat_ok
  if (!ok) stop("escap_toy does NOT reproduce tests/reference/escap_toy.md")
  cat("  escap_toy: all numbers in tests/reference/escap_toy.md reproduced\n")
}

results$escap_toy <- run_case(
  "escap_toy", d1,
  list(list(name = "P", kind = "unordered"), list(name = "R", kind = "unordered"),
       list(name = "E", kind = "ordered")),
  extra = list(note = "12-cell table of tests/reference/escap_toy.md; within each cell the first k rows have y = 1"),
  check = toy_check)

# =============================================================================================
# 2. ordered_numeric: unordered wealth (5), ordered educ (4), numeric age 20-35, sex
# =============================================================================================
set.seed(20260102)
N2 <- 3000
wealth <- sample(paste0("Q", 1:5), N2, replace = TRUE)
educ <- sample(c("None", "Primary", "Secondary", "Higher"), N2, replace = TRUE, prob = c(0.25, 0.3, 0.3, 0.15))
age <- sample(20:35, N2, replace = TRUE)
sex <- sample(c("Female", "Male"), N2, replace = TRUE)
wi <- c(Q1 = -1.6, Q2 = -0.7, Q3 = -0.9, Q4 = 0.4, Q5 = 1.3)[wealth]     # Q2/Q3 not monotone
ei <- c(None = -1.2, Primary = -0.3, Secondary = 0.5, Higher = 1.4)[educ]
eta <- 0.2 + wi + ei + 0.25 * (age - 27) + ifelse(sex == "Male", 0.5, -0.1) +
  ifelse(sex == "Female" & age >= 31, -1.5, 0)                           # interaction
y2 <- as.integer(runif(N2) < plogis(eta))
w2 <- pmax(round(exp(rnorm(N2, 0, 0.45)) * 1.5, 4), 1e-4)
d2 <- data.frame(wealth = ufactor(wealth, paste0("Q", 1:5)),
                 educ = ofactor(educ, c("None", "Primary", "Secondary", "Higher")),
                 age = as.integer(age), sex = ufactor(sex, c("Female", "Male")),
                 y = y2, w = w2)
results$ordered_numeric <- run_case(
  "ordered_numeric", d2,
  list(list(name = "wealth", kind = "unordered"), list(name = "educ", kind = "ordered"),
       list(name = "age", kind = "numeric"), list(name = "sex", kind = "unordered")))

# =============================================================================================
# 3. region_many_levels: 8-level unordered region (labels with spaces), urban, ordered hhsize
# =============================================================================================
set.seed(20260103)
N3 <- 5000
regions <- c("Capital District", "Central Highlands", "Eastern Plains", "North Coast",
             "Northern Islands", "South Coast", "Southern Delta", "Western Hills")
reg_eff <- c("Capital District" = 1.5, "Central Highlands" = -0.9, "Eastern Plains" = 0.2,
             "North Coast" = 0.8, "Northern Islands" = -1.7, "South Coast" = 0.5,
             "Southern Delta" = -0.4, "Western Hills" = -1.2)
reg_share <- c(0.22, 0.12, 0.14, 0.11, 0.05, 0.13, 0.13, 0.10)
region <- sample(regions, N3, replace = TRUE, prob = reg_share)
urban_p <- c("Capital District" = 0.9, "Central Highlands" = 0.25, "Eastern Plains" = 0.35,
             "North Coast" = 0.5, "Northern Islands" = 0.15, "South Coast" = 0.45,
             "Southern Delta" = 0.3, "Western Hills" = 0.2)[region]
urban <- ifelse(runif(N3) < urban_p, "Urban", "Rural")
hh <- sample(c("1-2", "3-4", "5-6", "7+"), N3, replace = TRUE, prob = c(0.2, 0.35, 0.3, 0.15))
hh_eff <- c("1-2" = 0.6, "3-4" = 0.3, "5-6" = -0.4, "7+" = -1.1)[hh]
eta3 <- -0.1 + reg_eff[region] + ifelse(urban == "Urban", 0.9, -0.3) + hh_eff +
  ifelse(urban == "Rural" & hh == "7+", -0.6, 0)
y3 <- as.integer(runif(N3) < plogis(eta3))
# design weights differ by region (over-sampling of small regions) times noise
base_w <- c("Capital District" = 2.4, "Central Highlands" = 1.1, "Eastern Plains" = 1.3,
            "North Coast" = 0.9, "Northern Islands" = 0.35, "South Coast" = 1.6,
            "Southern Delta" = 1.0, "Western Hills" = 0.7)[region]
w3 <- pmax(round(unname(base_w) * exp(rnorm(N3, 0, 0.3)), 4), 1e-4)
d3 <- data.frame(region = ufactor(region, regions), urban = ufactor(urban, c("Rural", "Urban")),
                 hhsize_group = ofactor(hh, c("1-2", "3-4", "5-6", "7+")),
                 y = y3, w = w3)
results$region_many_levels <- run_case(
  "region_many_levels", d3,
  list(list(name = "region", kind = "unordered"), list(name = "urban", kind = "unordered"),
       list(name = "hhsize_group", kind = "ordered")))

# =============================================================================================
# 4. ties: A and B identical copies (A listed first), C; all weights 1
# =============================================================================================
set.seed(20260104)
N4 <- 1100
A <- sample(c("a1", "a2", "a3"), N4, replace = TRUE, prob = c(0.4, 0.35, 0.25))
C <- sample(c("c1", "c2"), N4, replace = TRUE)
eta4 <- c(a1 = -1.0, a2 = 0.3, a3 = 1.4)[A] + ifelse(C == "c2", 0.8, -0.4)
y4 <- as.integer(runif(N4) < plogis(eta4))
d4 <- data.frame(A = ufactor(A, c("a1", "a2", "a3")), B = ufactor(A, c("a1", "a2", "a3")),
                 C = ufactor(C, c("c1", "c2")), y = y4, w = rep(1, N4))
fit4_probe <- fit_tree(d4, c("A", "B", "C"), N4, max(49L, as.integer(floor(N4 / 11))))
tie_text <- local({
  fr <- fit4_probe$frame
  pr <- primary_split_rows(fit4_probe)
  inner <- rownames(fr)[fr$var != "<leaf>"]
  parts <- character(0)
  nA <- 0; nTie <- 0
  for (nd in inner) {
    blk <- fit4_probe$splits[pr[nd]:(pr[nd] + fr[nd, "ncompete"]), , drop = FALSE]  # primary + competitors
    chosen <- rownames(fit4_probe$splits)[pr[nd]]
    impA <- blk[rownames(blk) == "A", "improve"]; impB <- blk[rownames(blk) == "B", "improve"]
    tied <- length(impA) == 1 && length(impB) == 1 && identical(impA[[1]], impB[[1]])
    if (chosen %in% c("A", "B")) { nTie <- nTie + tied; nA <- nA + (chosen == "A") }
    parts <- c(parts, sprintf("node %s: split on %s (A improve %s, B improve %s%s)", nd, chosen,
                              if (length(impA)) format(impA[[1]], digits = 17) else "-",
                              if (length(impB)) format(impB[[1]], digits = 17) else "-",
                              if (tied) ", exact A/B tie" else ""))
  }
  stopifnot(nTie >= 1, !any(fr$var == "B"))
  # where does B appear as a surrogate?
  sur <- character(0)
  for (nd in inner) {
    ns <- fr[nd, "nsurrogate"]
    if (ns > 0) {
      r0 <- pr[nd] + fr[nd, "ncompete"] + 1
      rn <- rownames(fit4_probe$splits)[r0:(r0 + ns - 1)]
      sur <- c(sur, sprintf("node %s surrogates: %s", nd, paste(rn, collapse = ", ")))
    }
  }
  paste0("A and B are identical columns listed A then B, weights all 1. rpart never chose B; ",
         "every split on the A/B column went to A (the first listed). ", paste(parts, collapse = "; "),
         ". Surrogates at inner nodes (B is never a surrogate of an A split): ",
         if (length(sur)) paste(sur, collapse = "; ") else "none")
})
cat("\nties probe:", tie_text, "\n")
results$ties <- run_case(
  "ties", d4,
  list(list(name = "A", kind = "unordered"), list(name = "B", kind = "unordered"),
       list(name = "C", kind = "unordered")),
  extra = list(tie_note = tie_text,
               tie_chosen = "A"))

# =============================================================================================
# 5. small_deep: N = 2000, minbucket = 181; a chain of mutually exclusive disadvantages (each
#    about 10% of records) peeled off one per level, so that maxdepth = 6 stops node 127 which
#    would otherwise split on sex, and minbucket stops further splits (sex x educ interaction).
# =============================================================================================
set.seed(20260105)
N5 <- 2000
# each record has at most one of six disadvantages (type 1..6) or none (type 0)
type <- sample(0:6, N5, replace = TRUE, prob = c(0.37, rep(0.105, 6)))
disab <- ifelse(type == 1, "Yes", "No")
remote <- ifelse(type == 2, "Yes", "No")
ethnic <- ifelse(type == 3, sample(c("Minority A", "Minority B", "Minority C"), N5, replace = TRUE), "Majority")
educ5 <- ifelse(type == 4, "None", sample(c("Primary", "Secondary", "Higher"), N5, replace = TRUE, prob = c(0.35, 0.4, 0.25)))
dist <- ifelse(type == 5, sample(13:15, N5, replace = TRUE), sample(0:12, N5, replace = TRUE))
migrant <- ifelse(type == 6, "Yes", "No")
sex <- sample(c("Female", "Male"), N5, replace = TRUE)
p5 <- ifelse(type == 0,
             ifelse(sex == "Female", ifelse(educ5 == "Primary", 0.45, 0.72), 0.96),
             c(0.03, 0.06, 0.10, 0.08, 0.14, 0.18)[pmax(type, 1)])
y5 <- as.integer(runif(N5) < p5)
w5 <- pmax(round(runif(N5, 0.5, 2.5), 4), 1e-4)
d5 <- data.frame(disab = ufactor(disab, c("No", "Yes")), remote = ufactor(remote, c("No", "Yes")),
                 ethnic = ufactor(ethnic, c("Majority", "Minority A", "Minority B", "Minority C")),
                 educ = ofactor(educ5, c("None", "Primary", "Secondary", "Higher")),
                 dist = as.integer(dist), migrant = ufactor(migrant, c("No", "Yes")),
                 sex = ufactor(sex, c("Female", "Male")),
                 y = y5, w = w5)
vars5 <- c("disab", "remote", "ethnic", "educ", "dist", "migrant", "sex")
m5 <- escap_min_node(N5)
f5 <- fit_tree(d5, vars5, N5, m5)
f5_deep <- fit_tree(d5, vars5, N5, m5, maxdepth = 30)
f5_small <- fit_tree(d5, vars5, N5, m5, minbucket = 49L)
nl <- function(f) sum(f$frame$var == "<leaf>")
maxdep <- function(f) max(floor(log2(as.integer(rownames(f$frame)))))
binding_text <- sprintf(paste0(
  "With the ESCAP controls the tree has %d leaves and maximum depth %d. ",
  "Same data with maxdepth = 30 (other controls equal): %d leaves, maximum depth %d. ",
  "Same data with minbucket = 49, minsplit = 98 (maxdepth 6): %d leaves."),
  nl(f5), maxdep(f5), nl(f5_deep), maxdep(f5_deep), nl(f5_small))
cat("\nsmall_deep probe:", binding_text, "\n")
stopifnot(maxdep(f5) == 6, nl(f5_deep) > nl(f5), nl(f5_small) > nl(f5))
results$small_deep <- run_case(
  "small_deep", d5,
  list(list(name = "disab", kind = "unordered"), list(name = "remote", kind = "unordered"),
       list(name = "ethnic", kind = "unordered"), list(name = "educ", kind = "ordered"),
       list(name = "dist", kind = "numeric"), list(name = "migrant", kind = "unordered"),
       list(name = "sex", kind = "unordered")),
  extra = list(binding_note = binding_text,
               leaves_if_maxdepth_30 = nl(f5_deep), max_depth_if_maxdepth_30 = maxdep(f5_deep),
               leaves_if_minbucket_49 = nl(f5_small)))

# =============================================================================================
# 6. large_weights: survey weights in the hundreds (as in SUSENAS or EU-SILC files). The weighted
#    deviance is ~1e6, so its rounding noise exceeds the gain of the last Newton step; a fit that
#    halves any step raising the deviance stalls there instead of converging.
# =============================================================================================
set.seed(20260106)
N6 <- 4000
wealth6 <- sample(paste0("Q", 1:5), N6, replace = TRUE)
educ6 <- sample(c("None", "Primary", "Secondary", "Higher"), N6, replace = TRUE, prob = c(0.2, 0.35, 0.3, 0.15))
age6 <- sample(15:49, N6, replace = TRUE)
urban6 <- sample(c("Rural", "Urban"), N6, replace = TRUE, prob = c(0.55, 0.45))
eta6 <- -0.3 + c(Q1 = -1.1, Q2 = -0.5, Q3 = 0, Q4 = 0.4, Q5 = 1.0)[wealth6] +
  c(None = -0.8, Primary = -0.2, Secondary = 0.4, Higher = 1.1)[educ6] +
  0.03 * (age6 - 30) + ifelse(urban6 == "Urban", 0.6, 0)
y6 <- as.integer(runif(N6) < plogis(eta6))
w6 <- round(runif(N6, 150, 900), 2)
d6 <- data.frame(wealth = ufactor(wealth6, paste0("Q", 1:5)),
                 educ = ofactor(educ6, c("None", "Primary", "Secondary", "Higher")),
                 age = as.integer(age6), urban = ufactor(urban6, c("Rural", "Urban")),
                 y = y6, w = w6)
results$large_weights <- run_case(
  "large_weights", d6,
  list(list(name = "wealth", kind = "unordered"), list(name = "educ", kind = "ordered"),
       list(name = "age", kind = "numeric"), list(name = "urban", kind = "unordered")),
  extra = list(note = "weights uniform on [150, 900]: the weighted deviance is about 1e6"))

# =============================================================================================
# 7. logit_stall: five factors (720 cells), 20,000 records, weights in the hundreds. Only the
#    World Bank logit is checked here; the records are written aggregated to their cells
#    (codes, n, w, wy), which is what the Rust fit sees, while glm is fitted on the records.
# =============================================================================================
set.seed(20260108)  # a seed on which the old halving rule stalled
N7 <- 20000
nlev7 <- c(a = 5, b = 4, c = 2, d = 3, e = 6)
d7 <- as.data.frame(lapply(nlev7, function(k) sample.int(k, N7, replace = TRUE) - 1L))
eta7 <- -0.2 + rowSums(0.4 * as.matrix(d7) - 0.5)
d7$y <- as.integer(runif(N7) < plogis(eta7))
d7$w <- round(runif(N7, 150, 900), 2)
for (v in names(nlev7)) d7[[v]] <- factor(d7[[v]], levels = 0:(nlev7[[v]] - 1))
g7 <- glm(y ~ a + b + c + d + e, data = d7, family = quasibinomial(), weights = w,
          start = c(qlogis(wmean(d7$y, d7$w)), rep(0, sum(nlev7 - 1))),
          control = glm.control(epsilon = 1e-14, maxit = 100))
stopifnot(g7$converged)
pbar7 <- wmean(d7$y, d7$w)
D7 <- sum(d7$w * abs(fitted(g7) - pbar7)) / (2 * pbar7 * sum(d7$w))
key7 <- interaction(d7[names(nlev7)], drop = TRUE, lex.order = TRUE)
cells7 <- do.call(rbind, lapply(split(seq_len(N7), key7), function(i) {
  data.frame(d7[i[1], names(nlev7)], n = length(i), w = sum(d7$w[i]), wy = sum(d7$w[i] * d7$y[i]))
}))
for (v in names(nlev7)) cells7[[v]] <- as.integer(as.character(cells7[[v]]))
write.table(cells7, file.path(outdir, "logit_stall_cells.csv"), sep = ",", quote = FALSE,
            row.names = FALSE, col.names = TRUE, eol = "\n")
out7 <- list(case = "logit_stall", r_version = R_VERSION, N = N7, cells = nrow(cells7),
             total_weight = sum(d7$w), deviance = deviance(g7), levels = as.list(nlev7),
             note = paste0("factors as treatment dummies (level 0 = baseline); quasibinomial, ",
                           "prior weights w, start = (qlogis(pbar), 0, ...), epsilon 1e-14"),
             coefficients = as.list(coef(g7)), iterations = g7$iter, D = D7)
writeLines(toJSON(exact_numbers(out7), auto_unbox = TRUE, digits = NA, pretty = TRUE,
                  json_verbatim = TRUE), file.path(outdir, "logit_stall.json"), useBytes = TRUE)
cat(sprintf("\nlogit_stall: %d cells, deviance %.6g, D = %.12f, %d iterations\n",
            nrow(cells7), deviance(g7), D7, g7$iter))

# =============================================================================================
# 8. A negative cp switches rpart's complexity stop off. With small nodes (minbucket 20,
#    minsplit 40, maxdepth 6) cp = 1/N stops some splits; cp = -1 grows every split the node
#    sizes and depth allow. ordered_numeric and small_deep data; the leaves of both fits.
# =============================================================================================
for (nm in c("ordered_numeric", "small_deep")) {
  dd <- list(ordered_numeric = d2, small_deep = d5)[[nm]]
  vv <- list(ordered_numeric = c("wealth", "educ", "age", "sex"), small_deep = vars5)[[nm]]
  leaves_of <- function(cp) {
    f <- rpart(as.formula(paste("y ~", paste(vv, collapse = " + "))), data = dd, weights = w,
               method = "anova", control = rpart.control(cp = cp, maxdepth = 6, minbucket = 20,
                                                         minsplit = 40, xval = 0))
    fr <- f$frame[f$frame$var == "<leaf>", ]
    lapply(seq_len(nrow(fr)), function(i)
      list(node = as.integer(rownames(fr)[i]), n = fr$n[i], weight = fr$wt[i], rate = fr$yval[i]))
  }
  fits <- list(list(cp = 1 / nrow(dd), leaves = leaves_of(1 / nrow(dd))),
               list(cp = -1, leaves = leaves_of(-1)))
  stopifnot(length(fits[[2]]$leaves) > length(fits[[1]]$leaves))
  out <- list(case = nm, minbucket = 20L, minsplit = 40L, maxdepth = 6L, fits = fits)
  writeLines(toJSON(exact_numbers(out), auto_unbox = TRUE, digits = NA, pretty = TRUE, json_verbatim = TRUE),
             file.path(outdir, paste0(nm, "_cp_negative.json")), useBytes = TRUE)
  cat(sprintf("%s, minbucket 20: %d leaves with cp = 1/N, %d with cp = -1\n", nm,
              length(fits[[1]]$leaves), length(fits[[2]]$leaves)))
}

cat("\nSummary\n")
for (nm in names(results)) {
  r <- results[[nm]]
  cat(sprintf("%-20s N=%5d minbucket=%4d leaves=%2d D=%.10f\n", nm, r$N, as.integer(floor(r$m)), length(r$leaves), r$di$D))
}
cat("\n"); print(sessionInfo())
