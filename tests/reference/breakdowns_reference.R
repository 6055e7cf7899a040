# Independent R reference for the SPOT poverty breakdowns (src/analysis/spot/breakdowns.rs):
# headcount and poverty gap at the national line, before and after two deterministic schemes,
# by sex, age group, household type, region and circumstance, each group a domain of the survey
# design, with `svyby(~poor, ~group, design, svymean)`; the change before -> after as
# `svyby(~I(poor_after - poor_before), ...)`, one statistic on the same sample.
# Definitions: docs/methods.md, "SPOT: poverty breakdowns".
#
# Input: tests/fixtures/breakdowns/survey_2024.csv, the 300-household synthetic wave that
# `vnr_brief::app::cli::write_synth(path, 300, 2030, 1)` writes (tests/it/breakdowns.rs checks
# it is byte for byte that file). The schemes are those of tests/it/breakdowns.rs: a child
# benefit of 150,000 a month to ages 0-5 ("child") and a universal transfer of 10% of the
# 600,000 poverty line ("universal"), full take-up, so no draw is involved.
#
# Run from the repository root:   Rscript tests/reference/breakdowns_reference.R
# Writes tests/fixtures/breakdowns/reference.csv (dimension, level, scenario, n, headcount,
# headcount_se, gap, gap_se, headcount_change, headcount_change_se; doubles in their shortest
# round-trip form). Deterministic: no random numbers, C collation.

invisible(Sys.setlocale("LC_COLLATE", "C"))
suppressPackageStartupMessages(library(survey))
options(survey.lonely.psu = "certainty")

dir <- file.path("tests", "fixtures", "breakdowns")
d <- read.csv(file.path(dir, "survey_2024.csv"), stringsAsFactors = FALSE)
z <- 600000

# Household-level pieces: transfers per household over its size, head's values.
in_hh <- function(x) ave(as.numeric(x), d$hhid, FUN = max) > 0
n_child <- ave(as.numeric(d$age >= 0 & d$age <= 5), d$hhid, FUN = sum)
members <- ave(rep(1, nrow(d)), d$hhid, FUN = sum)
head_value <- function(col) {
  h <- d[d$relation == "Head", c("hhid", col)]
  h[[col]][match(d$hhid, h$hhid)]
}
y <- d$consumption_pc
after <- list(
  child = y + 150000 * n_child / d$hhsize,
  universal = y + 0.10 * z * members / d$hhsize
)
d$poor_before <- as.numeric(y < z)
d$gap_before <- pmax(0, (z - y) / z)
for (s in names(after)) {
  d[[paste0("poor_", s)]] <- as.numeric(after[[s]] < z)
  d[[paste0("gap_", s)]] <- pmax(0, (z - after[[s]]) / z)
  d[[paste0("d_", s)]] <- d[[paste0("poor_", s)]] - d$poor_before
}

yes_no <- function(x) ifelse(x, "yes", "no")
size_group <- cut(d$hhsize, c(0, 2, 4, 6, Inf), labels = c("1-2", "3-4", "5-6", "7+"))
groups <- list(
  sex = d$sex,
  age_group = as.character(cut(d$age, c(-Inf, 14, 64, Inf), labels = c("0-14", "15-64", "65+"))),
  with_children = yes_no(in_hh(d$age < 18)),
  with_older = yes_no(in_hh(d$age >= 65)),
  with_disability = yes_no(in_hh(d$disability == 1)),
  female_headed = yes_no(in_hh(d$relation == "Head" & d$sex == "Female")),
  region = d$region,
  "circumstance:residence" = d$urban,
  "circumstance:head_education" = head_value("educ"),
  "circumstance:head_sex" = head_value("sex"),
  "circumstance:household_size" = as.character(size_group)
)

design <- svydesign(ids = ~psu, strata = ~province, weights = ~hh_weight, data = d, nest = TRUE)

shortest <- function(x) {
  vapply(x, function(v) {
    for (k in 15:17) { s <- sprintf("%.*g", k, v); if (as.numeric(s) == v) return(s) }
    stop("no round-trip form")
  }, "")
}

rows <- list()
for (g in names(groups)) {
  design <- update(design, grp = groups[[g]])
  vars <- c("poor_before", "gap_before", unlist(lapply(names(after), function(s)
    paste0(c("poor_", "gap_", "d_"), s))))
  est <- svyby(make.formula(vars), ~grp, design, svymean, keep.var = TRUE)
  n <- table(groups[[g]])
  for (i in seq_len(nrow(est))) {
    lv <- as.character(est$grp[i])
    val <- function(v) est[i, v]
    se <- function(v) est[i, paste0("se.", v)]
    rows[[length(rows) + 1]] <- c(g, lv, "baseline", n[[lv]],
      shortest(c(val("poor_before"), se("poor_before"), val("gap_before"), se("gap_before"))), "", "")
    for (s in names(after)) {
      p <- paste0("poor_", s); q <- paste0("gap_", s); dd <- paste0("d_", s)
      rows[[length(rows) + 1]] <- c(g, lv, s, n[[lv]],
        shortest(c(val(p), se(p), val(q), se(q), val(dd), se(dd))))
    }
  }
}
out <- do.call(rbind, rows)
colnames(out) <- c("dimension", "level", "scenario", "n", "headcount", "headcount_se", "gap",
                   "gap_se", "headcount_change", "headcount_change_se")
write.csv(out, file.path(dir, "reference.csv"), row.names = FALSE, quote = FALSE)
cat(sprintf("%d rows; R %s, survey %s\n", nrow(out), R.version.string, packageVersion("survey")))
