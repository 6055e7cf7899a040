# LNOB benchmark in R: the same analysis as `benches/analyses.rs` (LNOB part), for a side-by-side
# timing. Base R plus rpart only: no data.table, dplyr or other packages.
#
#   Rscript benches/lnob_bench.R /tmp/bench.csv [specs/demo.toml] [--province-d] [--world-bank] [--like-rust]
#
# Make the CSV with `VNR_BENCH_CSV=/tmp/bench.csv cargo bench` or with
#   target/debug/vnr-brief synth --households 350000 --seed 2030 --wave 1 --out /tmp/bench.csv
# (350,000 households, about 1.28M persons; the same wave the Rust benchmark generates).
#
# For each indicator of specs/demo.toml (13 since the catalogue commit; 10 before), as the spec and
# docs/methods.md ('Indicator population, outcome and missing values' to 'Shapley decomposition
# of D') define them:
#   2. population filter and 0/1 outcome (SQL semantics: a NULL filter is false, a NULL outcome is
#      missing); records with a missing outcome or circumstance are dropped;
#   3. national tree: rpart ANOVA, weights hh_weight, cp = 1/N, maxdepth 6,
#      minbucket = m = max(49, floor(N/11)), minsplit = 2m, no cross-validation, competitors or
#      surrogates; ordered factors for ordered circumstances, numeric age;
#   4. the same tree inside each province (N and m from the province);
#   5. ESCAP's cell D-index (cells from aggregate() over all circumstance combinations) and the full
#      Shapley decomposition, every one of the 2^k - 1 subsets' D from aggregate() on the records;
#      for the barrier indicator (stunting) D is on the complement (not stunted).
# Steps 2-5 are timed per indicator; loading the CSV and the derived variables (step 1: head_educ,
# head_sex, hh_size_group) are not, as in the Rust benchmark (survey::prepare is outside its timer).
#
# Extras, off by default and timed separately (not in the steps 2-5 total): the Rust run
# (lnob::analyse_wave) also computes D, HOI and Shapley inside every province (--province-d here),
# and, because specs/demo.toml sets `[lnob] world_bank = true`, the World Bank logit D nationally
# and per province (--world-bank here: glm on the records, as tests/reference/lnob_reference.R
# fits it; Rust fits the same logit on the cell table). --like-rust turns on both.
#
# The indicator definitions below are a transcription of specs/demo.toml (indicators taken from
# specs/catalogue.toml resolved). If the spec file is found (second argument, or specs/demo.toml
# beside this script's folder), the transcription is checked against it first and the script stops
# on any difference.

suppressPackageStartupMessages(library(rpart))
invisible(Sys.setlocale("LC_COLLATE", "C"))
options(stringsAsFactors = FALSE)

args <- commandArgs(trailingOnly = TRUE)
flags <- c("--province-d", "--world-bank", "--like-rust")
unknown <- grep("^--", setdiff(args, flags), value = TRUE)
if (length(unknown)) stop("unknown option ", unknown[1], call. = FALSE)
province_d <- any(c("--province-d", "--like-rust") %in% args)
world_bank <- any(c("--world-bank", "--like-rust") %in% args)
args <- setdiff(args, flags)
if (length(args) < 1) {
  stop("usage: Rscript benches/lnob_bench.R DATA.csv [SPEC.toml] [--province-d] [--world-bank] [--like-rust]", call. = FALSE)
}
csv_path <- args[1]
spec_path <- if (length(args) >= 2) args[2] else {
  file_arg <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
  if (length(file_arg) == 1) file.path(dirname(dirname(normalizePath(file_arg))), "specs", "demo.toml") else ""
}

# ------------------------------------------------------------------------------------------------
# The spec, transcribed (specs/demo.toml)
# ------------------------------------------------------------------------------------------------

# SQL helpers with SQL's NULL semantics: `x IN (...)` is NULL when x is NULL (R's %in% says FALSE);
# R's `&`, `<`, `==` already propagate NA as SQL does (Kleene logic for AND).
sql_in <- function(x, set) {
  r <- x %in% set
  r[is.na(x)] <- NA
  r
}
# A population filter keeps rows where it is TRUE (NULL counts as false).
is_true <- function(x) !is.na(x) & x

circumstances <- list(
  wealth = list(column = "wealth_quintile", kind = "unordered", levels = c("Q1", "Q2", "Q3", "Q4", "Q5")),
  residence = list(column = "urban", kind = "unordered", levels = c("Rural", "Urban")),
  head_education = list(column = "head_educ", kind = "ordered",
                        levels = c("None", "Primary", "Lower secondary", "Upper secondary", "Higher")),
  head_sex = list(column = "head_sex", kind = "unordered", levels = c("Female", "Male")),
  household_size = list(column = "hh_size_group", kind = "ordered", levels = c("1-2", "3-4", "5-6", "7+")),
  sex = list(column = "sex", kind = "unordered", levels = c("Female", "Male")),
  age = list(column = "age", kind = "numeric", levels = NULL),
  education = list(column = "educ", kind = "ordered",
                   levels = c("None", "Primary", "Lower secondary", "Upper secondary", "Higher"))
)

hh_circ <- c("wealth", "residence", "head_education", "head_sex", "household_size")
person_circ <- c("wealth", "residence", "sex", "education")

indicators <- list(
  list(id = "electricity", unit = "households", kind = "opportunity", circumstances = hh_circ,
       population_sql = "relation = 'Head'", outcome_sql = "electricity = 1",
       population = function(d) d$relation == "Head",
       outcome = function(d) d$electricity == 1),
  list(id = "clean_fuel", unit = "households", kind = "opportunity", circumstances = hh_circ,
       population_sql = "relation = 'Head'",
       outcome_sql = "cooking_fuel IN ('Electricity', 'LPG', 'Natural gas', 'Biogas')",
       population = function(d) d$relation == "Head",
       outcome = function(d) sql_in(d$cooking_fuel, c("Electricity", "LPG", "Natural gas", "Biogas"))),
  list(id = "basic_water", unit = "households", kind = "opportunity", circumstances = hh_circ,
       population_sql = "relation = 'Head'",
       outcome_sql = "water_source IN ('Piped', 'Borehole', 'Protected well', 'Protected spring', 'Rainwater', 'Bottled') AND water_time <= 30",
       population = function(d) d$relation == "Head",
       outcome = function(d) sql_in(d$water_source, c("Piped", "Borehole", "Protected well", "Protected spring",
                                                     "Rainwater", "Bottled")) & d$water_time <= 30),
  list(id = "basic_sanitation", unit = "households", kind = "opportunity", circumstances = hh_circ,
       population_sql = "relation = 'Head'",
       outcome_sql = "sanitation IN ('Flush to sewer', 'Flush to septic tank', 'Pit latrine with slab') AND toilet_shared = 0",
       population = function(d) d$relation == "Head",
       outcome = function(d) sql_in(d$sanitation, c("Flush to sewer", "Flush to septic tank",
                                                   "Pit latrine with slab")) & d$toilet_shared == 0),
  list(id = "secondary_completion", unit = "persons", kind = "opportunity",
       circumstances = c("wealth", "residence", "sex", "age"),
       population_sql = "age BETWEEN 20 AND 35", outcome_sql = "educ IN ('Upper secondary', 'Higher')",
       population = function(d) d$age >= 20 & d$age <= 35,
       outcome = function(d) sql_in(d$educ, c("Upper secondary", "Higher"))),
  list(id = "higher_education", unit = "persons", kind = "opportunity",
       circumstances = c("wealth", "residence", "sex", "head_education"),
       population_sql = "age BETWEEN 25 AND 35", outcome_sql = "educ = 'Higher'",
       population = function(d) d$age >= 25 & d$age <= 35,
       outcome = function(d) d$educ == "Higher"),
  list(id = "stunting", unit = "persons", kind = "barrier",
       circumstances = c("wealth", "residence", "sex", "head_education"),
       population_sql = "age < 5 AND haz IS NOT NULL", outcome_sql = "haz < -2",
       population = function(d) d$age < 5 & !is.na(d$haz),
       outcome = function(d) d$haz < -2),
  list(id = "skilled_birth", unit = "persons", kind = "opportunity",
       circumstances = c("wealth", "residence", "education"),
       population_sql = "recent_birth = 1", outcome_sql = "skilled_birth = 1",
       population = function(d) d$recent_birth == 1,
       outcome = function(d) d$skilled_birth == 1),
  list(id = "modern_contraception", unit = "persons", kind = "opportunity",
       circumstances = c("wealth", "residence", "education", "age"),
       population_sql = "contraception_demand = 1", outcome_sql = "modern_method = 1",
       population = function(d) d$contraception_demand == 1,
       outcome = function(d) d$modern_method == 1),
  list(id = "bank_account", unit = "persons", kind = "opportunity", circumstances = person_circ,
       population_sql = "age >= 15", outcome_sql = "bank_account = 1",
       population = function(d) d$age >= 15,
       outcome = function(d) d$bank_account == 1),
  list(id = "internet", unit = "persons", kind = "opportunity", circumstances = person_circ,
       population_sql = "age >= 5", outcome_sql = "internet = 1",
       population = function(d) d$age >= 5,
       outcome = function(d) d$internet == 1),
  list(id = "mobile_phone", unit = "persons", kind = "opportunity", circumstances = person_circ,
       population_sql = "age >= 10", outcome_sql = "mobile_phone = 1",
       population = function(d) d$age >= 10,
       outcome = function(d) d$mobile_phone == 1),
  list(id = "birth_registration", unit = "persons", kind = "opportunity",
       circumstances = c("wealth", "residence", "head_education"),
       population_sql = "age < 5", outcome_sql = "birth_registered = 1",
       population = function(d) d$age < 5,
       outcome = function(d) d$birth_registered == 1)
)

# ------------------------------------------------------------------------------------------------
# Check the transcription against the spec file (a minimal reader for the keys used here).
# ------------------------------------------------------------------------------------------------
read_blocks <- function(path) {
  lines <- readLines(path, warn = FALSE)
  blocks <- list()
  cur <- NULL
  for (ln in lines) {
    t <- trimws(ln)
    if (grepl("^\\[", t)) {
      if (!is.null(cur)) blocks[[length(blocks) + 1]] <- cur
      cur <- list(.header = t)
    } else if (!is.null(cur) && grepl("^[A-Za-z_]+\\s*=", t)) {
      key <- sub("\\s*=.*$", "", t)
      val <- sub("^[A-Za-z_]+\\s*=\\s*", "", t)
      cur[[key]] <- if (startsWith(val, "[")) {
        gsub("\"", "", regmatches(val, gregexpr("\"[^\"]*\"", val))[[1]])
      } else if (startsWith(val, "\"")) {
        sub("^\"(.*)\"\\s*(#.*)?$", "\\1", val)
      } else {
        sub("\\s*#.*$", "", val)
      }
    }
  }
  if (!is.null(cur)) blocks[[length(blocks) + 1]] <- cur
  blocks
}

# An [[indicator]] may name a catalogue entry (specs/catalogue.toml, built into vnr-brief); fields
# given in the spec override the catalogue's.
resolve_indicator <- function(b, catalogue) {
  base <- if (is.null(b$catalogue)) list() else catalogue[[b$catalogue]]
  if (!is.null(b$catalogue) && is.null(base)) stop(sprintf("indicator %s: no catalogue entry %s", b$id, b$catalogue), call. = FALSE)
  for (k in setdiff(names(b), ".header")) base[[k]] <- b[[k]]
  base
}

check_spec <- function(path) {
  blocks <- read_blocks(path)
  headers <- vapply(blocks, `[[`, "", ".header")
  problems <- character(0)
  wb_on <- FALSE
  for (b in blocks[headers == "[lnob]"]) {
    other <- setdiff(names(b), c(".header", "world_bank"))
    if (length(other)) problems <- c(problems, paste0("[lnob] sets ", paste(other, collapse = ", "), " (not transcribed: ESCAP defaults assumed)"))
    wb_on <- identical(b$world_bank, "true")
  }
  spec_circ <- blocks[headers == "[[circumstance]]"]
  if (!identical(vapply(spec_circ, `[[`, "", "id"), names(circumstances))) {
    problems <- c(problems, "circumstance ids or order differ")
  }
  for (b in spec_circ) {
    mine <- circumstances[[b$id]]
    if (is.null(mine)) next
    if (!is.null(b$recode) || !is.null(b$missing)) problems <- c(problems, paste0(b$id, ": recode/missing not transcribed"))
    if (!identical(b$column, mine$column) || !identical(b$kind, mine$kind) ||
        !identical(if (is.null(b$levels)) NULL else b$levels, mine$levels)) {
      problems <- c(problems, paste0("circumstance ", b$id, " differs"))
    }
  }
  spec_ind <- blocks[headers == "[[indicator]]"]
  catalogue <- list()
  if (any(vapply(spec_ind, function(b) !is.null(b$catalogue), TRUE))) {
    cat_path <- file.path(dirname(path), "catalogue.toml")
    if (!file.exists(cat_path)) stop("the spec uses the indicator catalogue but ", cat_path, " is missing", call. = FALSE)
    cb <- read_blocks(cat_path)
    catalogue <- lapply(cb, function(b) b[setdiff(names(b), ".header")])
    names(catalogue) <- gsub("^\\[|\\]$", "", vapply(cb, `[[`, "", ".header"))
  }
  spec_ind <- lapply(spec_ind, resolve_indicator, catalogue = catalogue)
  if (!identical(vapply(spec_ind, `[[`, "", "id"), vapply(indicators, `[[`, "", "id"))) {
    problems <- c(problems, sprintf("indicator ids or order differ: the spec has %s",
                                    paste(vapply(spec_ind, `[[`, "", "id"), collapse = ", ")))
  } else {
    for (i in seq_along(spec_ind)) {
      b <- spec_ind[[i]]
      mine <- indicators[[i]]
      for (k in c("population", "outcome")) {
        if (!identical(b[[k]], mine[[paste0(k, "_sql")]])) problems <- c(problems, paste0(b$id, ".", k, " differs"))
      }
      for (k in c("unit", "kind", "circumstances")) {
        if (!identical(b[[k]], mine[[k]])) problems <- c(problems, paste0(b$id, ".", k, " differs"))
      }
    }
  }
  derive <- blocks[headers == "[[derive]]"]
  derive_text <- vapply(derive, function(b) paste(b$name, if (is.null(b$head_of)) b$expr else paste("head_of", b$head_of)), "")
  expected <- c("head_educ head_of educ", "head_sex head_of sex",
                "hh_size_group CASE WHEN hhsize <= 2 THEN '1-2' WHEN hhsize <= 4 THEN '3-4' WHEN hhsize <= 6 THEN '5-6' ELSE '7+' END")
  if (!identical(derive_text, expected)) problems <- c(problems, "derived variables differ")
  waves <- blocks[headers == "[[wave]]"]
  w <- waves[[length(waves)]]
  if (!identical(c(w$unit, w$household_id, w$weight, w$head), c("person", "hhid", "hh_weight", "relation = 'Head'"))) {
    problems <- c(problems, "wave unit/household_id/weight/head differ")
  }
  if (length(problems)) stop("the transcription of ", path, " is out of date:\n  ", paste(problems, collapse = "\n  "), call. = FALSE)
  cat(sprintf("spec check: %s matches the transcription (%d indicators, %d circumstances; [lnob] world_bank = %s)\n",
              path, length(spec_ind), length(spec_circ), tolower(wb_on)))
  wb_on
}

spec_world_bank <- NA
if (nzchar(spec_path) && file.exists(spec_path)) spec_world_bank <- check_spec(spec_path) else cat("spec check skipped (no spec file found)\n")

# ------------------------------------------------------------------------------------------------
# Load and derive (step 1, not timed)
# ------------------------------------------------------------------------------------------------
t_load <- proc.time()
d <- read.csv(csv_path, na.strings = "", stringsAsFactors = FALSE)   # polars writes NULL as ""
n_columns <- ncol(d)
t_load <- (proc.time() - t_load)[["elapsed"]]

t_derive <- proc.time()
# head_of: the value on the household's first row with relation = 'Head', broadcast to the
# household (NA if the household has no head row).
head_rows <- which(is_true(d$relation == "Head"))
head_of_hh <- match(d$hhid, d$hhid[head_rows])
d$head_educ <- d$educ[head_rows][head_of_hh]
d$head_sex <- d$sex[head_rows][head_of_hh]
# CASE WHEN hhsize <= 2 THEN '1-2' WHEN hhsize <= 4 THEN '3-4' WHEN hhsize <= 6 THEN '5-6' ELSE '7+' END
# (a NULL hhsize fails every WHEN and gets '7+', as in SQL; the Rust side refuses NULL sizes anyway).
h <- d$hhsize
d$hh_size_group <- ifelse(is_true(h <= 2), "1-2", ifelse(is_true(h <= 4), "3-4", ifelse(is_true(h <= 6), "5-6", "7+")))
# Weights: the rows are persons, so household and person weights are both hh_weight (household
# indicators take the head's row through their population filter).
d$w_household <- d$hh_weight
d$w_person <- d$hh_weight
if (any(!is.finite(d$hh_weight) | d$hh_weight <= 0)) stop("hh_weight: expected positive finite weights", call. = FALSE)
t_derive <- (proc.time() - t_derive)[["elapsed"]]
cat(sprintf("loaded %s: %d rows, %d columns in %.2f s; derived variables in %.2f s (not timed below)\n",
            csv_path, nrow(d), n_columns, t_load, t_derive))
cat(sprintf("R %s.%s, rpart %s; extras (timed separately): per-province D/Shapley %s, World Bank logit D %s\n",
            R.version$major, R.version$minor, packageVersion("rpart"), if (province_d) "on" else "off",
            if (world_bank) "on" else "off"))
if (isTRUE(spec_world_bank) && !world_bank) {
  cat("note: the spec sets [lnob] world_bank = true, so the Rust timing includes the World Bank logit D; add --world-bank (or --like-rust) to time it here too\n")
}

# ------------------------------------------------------------------------------------------------
# Steps 2-5
# ------------------------------------------------------------------------------------------------

# Step 2: population, outcome, circumstances as R factors / numbers, drop incomplete records.
prepare <- function(ind, d) {
  in_pop <- which(is_true(ind$population(d)))
  y <- ind$outcome(d)[in_pop]
  cols <- lapply(ind$circumstances, function(id) {
    cc <- circumstances[[id]]
    x <- d[[cc$column]][in_pop]
    if (cc$kind == "numeric") {
      x <- as.numeric(x)
      x[!is.finite(x)] <- NA
      return(x)
    }
    bad <- !is.na(x) & !(x %in% cc$levels)
    if (any(bad)) stop(sprintf("%s: column %s has value \"%s\", not among the levels", id, cc$column, x[which(bad)[1]]), call. = FALSE)
    factor(x, levels = cc$levels, ordered = cc$kind == "ordered")
  })
  names(cols) <- ind$circumstances
  w <- d[[if (ind$unit == "households") "w_household" else "w_person"]][in_pop]
  df <- data.frame(cols, y = as.numeric(y), w = w, province = d$province[in_pop])
  complete <- complete.cases(df)
  list(df = df[complete, , drop = FALSE], population_n = length(in_pop),
       dropped_n = sum(!complete), dropped_w = sum(w[!complete]) / sum(w))
}

# Steps 3 and 4: ESCAP's tree.
grow_tree <- function(df, vars) {
  N <- nrow(df)
  m <- max(49, floor(N / 11))
  rpart(reformulate(vars, response = "y"), data = df, weights = w, method = "anova",
        control = rpart.control(cp = 1 / N, maxdepth = 6, minbucket = m, minsplit = 2 * m,
                                xval = 0, maxcompete = 0, maxsurrogate = 0))
}

# Furthest-behind leaf: lowest rate (barrier: highest), ties to the larger weight.
furthest_behind <- function(fit, barrier) {
  fr <- fit$frame
  leaves <- fr[fr$var == "<leaf>", , drop = FALSE]
  key <- if (barrier) -leaves$yval else leaves$yval
  leaves[order(key, -leaves$wt)[1], , drop = FALSE]
}

# Step 5: ESCAP's D-index from cells made with aggregate(): weighted mean of y and weight sum per cell.
cells_of <- function(df, vars) {
  a <- aggregate(data.frame(wy = df$y * df$w, w = df$w), by = df[vars], FUN = sum)
  data.frame(a[vars], p = a$wy / a$w, w = a$w)
}
d_of_cells <- function(cells) {
  beta <- cells$w / sum(cells$w)
  pbar <- sum(beta * cells$p)
  if (pbar <= 0) return(0)
  sum(beta * abs(cells$p - pbar)) / (2 * pbar)
}

# D and the full Shapley decomposition: v(S) = D on the cells of S (each from aggregate() on the
# records), v(empty) = 0; phi_j = sum over S without j of |S|!(k-|S|-1)!/k! (v(S+j) - v(S)).
dindex <- function(df, vars, barrier) {
  if (barrier) df$y <- 1 - df$y   # D on the complement (not stunted)
  k <- length(vars)
  full <- 2^k - 1
  cells <- cells_of(df, vars)     # the cell table over all circumstances
  v <- numeric(full + 1)          # v[mask + 1]
  v[full + 1] <- d_of_cells(cells)
  for (mask in seq_len(full - 1)) {
    v[mask + 1] <- d_of_cells(cells_of(df, vars[bitwAnd(mask, 2^(0:(k - 1))) > 0]))
  }
  size <- vapply(0:full, function(mask) sum(bitwAnd(mask, 2^(0:(k - 1))) > 0), 0)
  shapley <- vapply(seq_len(k), function(j) {
    bit <- 2^(j - 1)
    without <- (0:full)[bitwAnd(0:full, bit) == 0]
    s <- size[without + 1]
    sum(factorial(s) * factorial(k - s - 1) / factorial(k) * (v[without + bit + 1] - v[without + 1]))
  }, 0)
  names(shapley) <- vars
  pbar <- sum(df$w * df$y) / sum(df$w)
  list(pbar = pbar, D = v[full + 1], HOI = pbar * (1 - v[full + 1]), shapley = shapley,
       cells = nrow(cells))
}

# World Bank variant (extra): weighted logit of y on the circumstances (main effects; factors, ordered
# ones too, as treatment dummies with the first level as baseline; numbers as numbers), fitted to the
# records with glm as the R reference does; D = sum w |phat - pbar| / (2 pbar sum w), on the complement
# for a barrier (the logit's |phat - pbar| is the same for y and 1 - y).
wb_logit_d <- function(df, vars, barrier, where) {
  if (barrier) df$y <- 1 - df$y
  for (v in vars) if (is.ordered(df[[v]])) df[[v]] <- factor(as.character(df[[v]]), levels = levels(df[[v]]))
  # Levels absent here (e.g. in a small province) would give aliased all-zero columns: drop them.
  for (v in vars) if (is.factor(df[[v]])) df[[v]] <- droplevels(df[[v]])
  vars <- vars[vapply(vars, function(v) !is.factor(df[[v]]) || nlevels(df[[v]]) > 1, TRUE)]
  pbar <- sum(df$w * df$y) / sum(df$w)
  if (pbar <= 0 || pbar >= 1) return(0)
  if (length(vars) == 0) return(0)
  fml <- reformulate(vars, response = "y")
  p <- ncol(model.matrix(fml, df[1:min(nrow(df), 1000L), , drop = FALSE]))
  g <- suppressWarnings(glm(fml, data = df, family = quasibinomial(), weights = w,
                            start = c(qlogis(pbar), rep(0, p - 1)),
                            control = glm.control(epsilon = 1e-14, maxit = 100)))
  if (!g$converged || anyNA(coef(g))) {
    warning(sprintf("World Bank logit, %s: %s (N %d, rate %.6f)", where,
                    if (!g$converged) sprintf("not converged after %d iterations", g$iter)
                    else paste("aliased:", paste(names(coef(g))[is.na(coef(g))], collapse = ", ")),
                    nrow(df), pbar), call. = FALSE)
  }
  sum(df$w * abs(fitted(g) - pbar)) / (2 * pbar * sum(df$w))
}

results <- list()
timings <- list()
invisible(gc(verbose = FALSE))
t_all <- proc.time()
for (ind in indicators) {
  barrier <- ind$kind == "barrier"
  t0 <- proc.time()
  prep <- prepare(ind, d)                                                    # step 2
  df <- prep$df
  t1 <- proc.time()
  national <- grow_tree(df, ind$circumstances)                              # step 3
  t2 <- proc.time()
  by_province <- split(seq_len(nrow(df)), df$province)                      # step 4 (sorted names)
  province_trees <- lapply(by_province, function(rows) grow_tree(df[rows, , drop = FALSE], ind$circumstances))
  province_behind <- lapply(province_trees, furthest_behind, barrier = barrier)
  t3 <- proc.time()
  di <- dindex(df, ind$circumstances, barrier)                              # step 5
  t4 <- proc.time()
  province_di <- NULL
  if (province_d) {                                                         # extra: as Rust does
    province_di <- lapply(by_province, function(rows) dindex(df[rows, , drop = FALSE], ind$circumstances, barrier))
  }
  t5 <- proc.time()
  wb <- NULL
  if (world_bank) {                                                         # extra: [lnob] world_bank
    wb <- list(national = wb_logit_d(df, ind$circumstances, barrier, ind$id),
               province = vapply(names(by_province), function(p) wb_logit_d(df[by_province[[p]], , drop = FALSE],
                                                                            ind$circumstances, barrier, paste(ind$id, p)), 0))
  }
  t6 <- proc.time()
  el <- function(a, b) (b - a)[["elapsed"]]
  timings[[ind$id]] <- c(prepare = el(t0, t1), national_tree = el(t1, t2), province_trees = el(t2, t3),
                         d_shapley = el(t3, t4), steps_2_5 = el(t0, t4), province_d = el(t4, t5),
                         world_bank = el(t5, t6))
  behind <- furthest_behind(national, barrier)
  results[[ind$id]] <- list(
    n = nrow(df), population_n = prep$population_n, dropped_n = prep$dropped_n,
    dropped_w = prep$dropped_w, rate = sum(df$w * df$y) / sum(df$w), dindex = di,
    leaves = sum(national$frame$var == "<leaf>"), behind_rate = behind$yval, behind_n = behind$n,
    behind_share = behind$wt / national$frame$wt[1], province_leaves = vapply(province_trees, function(f) sum(f$frame$var == "<leaf>"), 0),
    province_di = province_di, wb = wb)
  stopifnot(abs(sum(di$shapley) - di$D) < 1e-12)
  cat(sprintf("%-21s N %8d  %6.2f s  (prepare %.2f, national tree %.2f, 14 province trees %.2f, D + %d-subset Shapley %.2f%s)\n",
              ind$id, nrow(df), timings[[ind$id]][["steps_2_5"]], timings[[ind$id]][["prepare"]],
              timings[[ind$id]][["national_tree"]], timings[[ind$id]][["province_trees"]], 2^length(ind$circumstances) - 1,
              timings[[ind$id]][["d_shapley"]],
              paste0(if (province_d) sprintf("; extra province D/Shapley %.2f", timings[[ind$id]][["province_d"]]) else "",
                     if (world_bank) sprintf("; extra WB logit D %.2f", timings[[ind$id]][["world_bank"]]) else "")))
}
t_all <- (proc.time() - t_all)
tm <- do.call(rbind, timings)

cat("\nResults (rate = weighted rate of the outcome as defined; D, HOI on the opportunity, i.e. the complement for a barrier)\n")
cat(sprintf("%-21s %8s %8s %8s %14s %14s %14s %6s %6s %14s%s\n", "indicator", "pop_n", "n", "dropped",
            "rate", "D", "HOI", "cells", "leaves", "behind_rate", if (world_bank) sprintf(" %14s", "WB_logit_D") else ""))
for (id in names(results)) {
  r <- results[[id]]
  cat(sprintf("%-21s %8d %8d %8d %14.12f %14.12f %14.12f %6d %6d %14.12f%s\n", id, r$population_n, r$n, r$dropped_n,
              r$rate, r$dindex$D, r$dindex$HOI, r$dindex$cells, r$leaves, r$behind_rate,
              if (world_bank) sprintf(" %14.12f", r$wb$national) else ""))
}
cat("\nShapley parts of D (sum to D)\n")
for (id in names(results)) {
  s <- results[[id]]$dindex$shapley
  cat(sprintf("%-21s %s\n", id, paste(sprintf("%s %.12f", names(s), s), collapse = "  ")))
}
provinces <- names(results[[1]]$province_leaves)
cat("\nProvinces (C-locale order):", paste(sprintf("%d %s", seq_along(provinces), provinces), collapse = ", "), "\n")
cat("Province trees: leaves per province\n")
for (id in names(results)) cat(sprintf("%-21s %s\n", id, paste(sprintf("%2d", results[[id]]$province_leaves), collapse = " ")))
if (province_d) {
  cat("\nProvince D (opportunity), extra\n")
  for (id in names(results)) {
    cat(sprintf("%-21s %s\n", id, paste(sprintf("%.6f", vapply(results[[id]]$province_di, `[[`, 0, "D")), collapse = " ")))
  }
}
if (world_bank) {
  cat("\nProvince World Bank logit D, extra\n")
  for (id in names(results)) cat(sprintf("%-21s %s\n", id, paste(sprintf("%.6f", results[[id]]$wb$province), collapse = " ")))
}

extra_cols <- c(if (province_d) "province_d", if (world_bank) "world_bank")
extra_head <- c(province_d = "prov.D", world_bank = "WB.D")
cat("\nTimings, elapsed seconds (steps 2-5 per indicator; CSV loading and derived variables excluded; extras not in steps2-5)\n")
cat(sprintf("%-21s %8s %8s %9s %8s %9s%s\n", "indicator", "prepare", "tree", "prov.tree", "D+Shap", "steps2-5",
            paste(sprintf(" %8s", extra_head[extra_cols]), collapse = "")))
row <- function(label, x) {
  cat(sprintf("%-21s %8.2f %8.2f %9.2f %8.2f %9.2f%s\n", label, x[["prepare"]], x[["national_tree"]],
              x[["province_trees"]], x[["d_shapley"]], x[["steps_2_5"]],
              paste(sprintf(" %8.2f", x[extra_cols]), collapse = "")))
}
for (id in rownames(tm)) row(id, tm[id, ])
row("TOTAL", colSums(tm))
total <- sum(tm[, "steps_2_5"])
cat(sprintf("\nLNOB in R, %d indicators (national + %d province trees, D, full Shapley): %.2f s elapsed (steps 2-5)\n",
            length(indicators), length(provinces), total))
if (length(extra_cols)) {
  cat(sprintf("with the extras (%s): %.2f s elapsed\n",
              paste(c(if (province_d) "province D/Shapley", if (world_bank) "World Bank logit D nationally and per province"), collapse = ", "),
              total + sum(tm[, extra_cols])))
}
cat(sprintf("wall clock of the whole timed loop: %.2f s elapsed, %.2f s user, %.2f s system\n",
            t_all[["elapsed"]], t_all[["user.self"]], t_all[["sys.self"]]))
