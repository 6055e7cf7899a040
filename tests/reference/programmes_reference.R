# Reference values for the existing-programmes figures (tests/it/programmes.rs): SDG 1.3.1
# coverage by group, leakage, undercoverage, pre-transfer headcount, spending shares by
# pre-transfer decile and overlap, with R `survey`'s linearised SEs (svymean on domains via
# subset, svyratio), on a small synthetic survey.
#
# The data: `vnr-brief synth --layout linked --households 300 --seed 7 --wave 1 --out DIR/s.csv`
# writes four linked files; run `Rscript tests/reference/programmes_reference.R DIR` from the
# repository root to join them into tests/fixtures/programmes_survey.csv (one row per person) and
# write tests/fixtures/programmes_reference.json. Without DIR the committed CSV is read.
suppressPackageStartupMessages(library(survey))
options(survey.lonely.psu = "certainty", digits = 17)

args <- commandArgs(trailingOnly = TRUE)
out_csv <- "tests/fixtures/programmes_survey.csv"
if (length(args) == 1) {
  dir <- args[1]
  ind <- read.csv(file.path(dir, "s_individuals.csv"))
  hh <- read.csv(file.path(dir, "s_households.csv"), sep = ";", dec = ",")
  cons <- read.csv(file.path(dir, "s_consumption.csv"))
  prog <- read.csv(file.path(dir, "s_programmes.csv"))
  value <- aggregate(value_month ~ hhid, cons, sum)
  d <- merge(ind, hh[, c("hhid", "province", "psu", "hh_weight", "hhsize")], by = "hhid")
  d <- merge(d, value, by = "hhid")
  d <- merge(d, prog, by = c("hhid", "line"))
  d <- d[order(d$hhid, d$line), ]
  d <- d[, c("hhid", "line", "province", "psu", "hh_weight", "hhsize", "value_month", "age",
             "disability", "recent_birth", "pkh", "pkh_amount", "bpnt", "bpnt_amount",
             "pension_social", "pension_amount")]
  write.csv(d, out_csv, row.names = FALSE, na = "")
}
d <- read.csv(out_csv)
line <- 600000
d$consumption_pc <- d$value_month / d$hhsize

# Monthly household transfers: PKH is annual per household, BPNT monthly per household, the
# social pension monthly per person.
first <- !duplicated(d$hhid)
hh <- d[first, c("hhid", "psu", "province", "hh_weight", "hhsize", "consumption_pc")]
hh$pkh_m <- ifelse(d$pkh[first] == 1, d$pkh_amount[first] / 12, 0)
hh$bpnt_m <- ifelse(d$bpnt[first] == 1, d$bpnt_amount[first], 0)
pens <- aggregate(cbind(pm = pension_amount * (pension_social == 1), pr = pension_social) ~ hhid, d, sum)
hh <- merge(hh, pens, by = "hhid", sort = FALSE)
hh <- hh[match(d$hhid[first], hh$hhid), ]
hh$aslut_m <- hh$pm
hh$pre <- hh$consumption_pc - (hh$pkh_m + hh$bpnt_m + hh$aslut_m) / hh$hhsize
hh$persons <- hh$hh_weight * hh$hhsize
hh$r_pkh <- hh$pkh_m > 0 | d$pkh[first] == 1
hh$r_bpnt <- d$bpnt[first] == 1
hh$r_aslut <- hh$pr > 0
hh$r_all <- hh$r_pkh | hh$r_bpnt | hh$r_aslut
hh$m_all <- hh$pkh_m + hh$bpnt_m + hh$aslut_m

# Deciles of persons by pre-transfer welfare (laeken's rule, as the engine: the first value whose
# cumulative weight share exceeds k/10 closes group k).
o <- order(hh$pre)
share <- cumsum(hh$persons[o]) / sum(hh$persons)
cuts <- sapply(1:9, function(k) hh$pre[o][which(share > k / 10)[1]])
hh$decile <- 1 + sapply(hh$pre, function(y) sum(y > cuts))

idx <- match(d$hhid, hh$hhid)
d$pre_poor <- hh$pre[idx] < line
d$vulnerable <- hh$pre[idx] < 1.5 * line
d$decile <- hh$decile[idx]
for (p in c("pkh", "bpnt", "aslut", "all")) d[[paste0("c_", p)]] <- as.numeric(hh[[paste0("r_", p)]][idx])
d$pension_row <- as.numeric(d$pension_social == 1)
d$not_poor <- as.numeric(!d$pre_poor)
d$poor01 <- as.numeric(d$pre_poor)

des <- svydesign(ids = ~psu, strata = ~province, weights = ~hh_weight, data = d, nest = TRUE)
hdes <- svydesign(ids = ~psu, strata = ~province, weights = ~hh_weight, data = hh, nest = TRUE)

est <- function(formula, design) {
  m <- svymean(formula, design)
  list(value = unname(coef(m)[1]), se = unname(SE(m)[1]), n = nrow(design$variables))
}
out <- list(headcount_pre_transfer = est(~poor01, des))
for (p in c("pkh", "bpnt", "aslut", "all")) {
  f <- as.formula(paste0("~c_", p))
  d$uncov <- 1 - d[[paste0("c_", p)]]
  des_u <- update(des, uncov = 1 - get(paste0("c_", p)))
  r <- list(
    population = est(f, des),
    poor = est(f, subset(des, pre_poor)),
    vulnerable = est(f, subset(des, vulnerable)),
    children = est(f, subset(des, age < 15)),
    disability = est(f, subset(des, disability == 1)),
    mothers = est(f, subset(des, !is.na(recent_birth) & recent_birth == 1)),
    leakage = est(~not_poor, subset(des, get(paste0("c_", p)) == 1)),
    undercoverage = est(~uncov, subset(des_u, pre_poor))
  )
  if (p %in% c("aslut", "all")) r$older_persons <- est(~pension_row, subset(des, age >= 65))
  # (`amt`, not a column name: update() looks names up among the design's columns first.)
  amt <- hh[[paste0(if (p == "all") "m_all" else paste0(p, "_m"))]]
  hdes_p <- update(hdes, spent = amt)
  shares <- lapply(1:10, function(k) {
    hd <- update(hdes_p, inside = amt * (decile == k))
    s <- svyratio(~inside, ~spent, hd)
    list(value = unname(coef(s)[1]), se = unname(SE(s)[1]))
  })
  r$spending_share <- shares
  r$spending_lcu <- sum(hh$hh_weight * amt * 12)
  out[[p]] <- r
}
both <- as.numeric(hh$r_pkh & hh$r_bpnt)
hdes_o <- update(hdes, both = both)
out$overlap_pkh_bpnt <- est(~both, hdes_o)
out$overlap_pkh_bpnt_of_first <- est(~both, subset(hdes_o, r_pkh))

writeLines(jsonlite::toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE),
           "tests/fixtures/programmes_reference.json")
