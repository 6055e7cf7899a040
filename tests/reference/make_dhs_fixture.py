"""A synthetic DHS-like household member recode (PR) as Stata .dta, and its expected rates.

No real DHS data: the values are drawn here from a seeded generator, with the variable names,
codes and value labels of the DHS Recode Manual (hv001 ... hv271), including the "don't know" and
"missing" codes the profile must treat as missing. The expected weighted rates are computed
independently here with pandas, the way the DHS profile defines the indicators
(specs/profiles/dhs.toml), over the households' head rows with weight hv005 / 1e6.

Run from the repository root:  python3 tests/reference/make_dhs_fixture.py
"""
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat

rng = np.random.default_rng(20261122)
rows = []
for cluster in range(1, 41):
    region = 1 + (cluster - 1) % 4
    urban = 1 if cluster % 3 == 0 else 2
    cluster_weight = int(rng.integers(400_000, 2_500_000))
    for hh in range(1, 7):
        size = int(rng.integers(1, 7))
        wealth = int(np.clip(rng.normal(3.6 if urban == 1 else 2.4, 1.2), 1, 5).round())
        score = int(wealth * 40_000 + rng.integers(-30_000, 30_000))
        p_good = 0.35 + 0.12 * wealth + (0.1 if urban == 1 else 0.0)
        water = int(rng.choice([11, 12, 13, 21, 31, 32, 42, 43, 61, 71, 96, 99],
                               p=[.12, .1, .1, .15, .1, .1, .08, .07, .05, .05, .04, .04]))
        time = int(rng.choice([996, 10, 20, 30, 45, 60, 998], p=[.2, .2, .2, .1, .1, .1, .1]))
        toilet = int(rng.choice([11, 12, 13, 14, 15, 21, 22, 23, 31, 41, 42, 99],
                                p=[.1, .15, .08, .05, .04, .1, .15, .1, .1, .04, .05, .04]))
        shared = int(rng.random() < 0.25)
        electricity = int(rng.random() < min(p_good + 0.2, 0.98))
        if rng.random() < 0.03:
            electricity = 9
        fuel = int(rng.choice([1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 95, 99],
                              p=[.05, .25, .03, .02, .05, .1, .1, .1, .1, .1, .05, .05]))
        head_sex = int(rng.choice([1, 2], p=[.75, .25]))
        head_edu = int(rng.choice([0, 1, 2, 3], p=[.2, .35, .35, .1]))
        for line in range(1, size + 1):
            head = line == 1
            age = int(rng.integers(25, 70)) if head else int(rng.integers(0, 60))
            edu = head_edu if head else int(rng.choice([0, 1, 2, 3, 8], p=[.15, .35, .35, .1, .05]))
            attain = int(rng.choice([0, 1, 2, 3, 4, 5, 8], p=[.1, .15, .15, .2, .2, .15, .05]))
            rows.append(dict(
                hhid=f"{cluster:4d}{hh:4d}", hv001=cluster, hv002=hh, hvidx=line,
                hv005=cluster_weight, hv009=size, hv021=cluster, hv022=2 * region - (urban == 1),
                hv023=2 * region - (urban == 1), hv024=region, hv025=urban,
                hv101=1 if head else int(rng.choice([2, 3])), hv104=head_sex if head else int(rng.choice([1, 2])),
                hv105=age, hv106=edu, hv109=attain, hv201=water, hv204=time, hv205=toilet,
                hv206=electricity, hv219=head_sex, hv225=shared, hv226=fuel, hv270=wealth, hv271=score,
            ))
frame = pd.DataFrame(rows)
labels = {
    "hv024": {1: "Northern", 2: "Central", 3: "Southern", 4: "Islands"},
    "hv025": {1: "urban", 2: "rural"},
    "hv270": {1: "poorest", 2: "poorer", 3: "middle", 4: "richer", 5: "richest"},
    "hv106": {0: "no education", 1: "primary", 2: "secondary", 3: "higher", 8: "don't know"},
    "hv201": {11: "piped into dwelling", 12: "piped to yard/plot", 13: "public tap/standpipe",
              21: "tube well or borehole", 31: "protected well", 32: "unprotected well",
              42: "unprotected spring", 43: "river/dam/lake/ponds/stream/canal/irrigation channel",
              61: "tanker truck", 71: "bottled water", 96: "other"},
    "hv206": {0: "no", 1: "yes"},
}
OUT = Path("specs/data")
pyreadstat.write_dta(frame, OUT / "dhs_example_pr.dta", version=15,
                     variable_value_labels=labels, file_label="Synthetic DHS-like PR recode")

# Expected rates, computed here independently of vnr-brief.
heads = frame[frame.hv101 == 1].copy()
heads["w"] = heads.hv005 / 1e6

def rate(data, outcome):
    keep = outcome.notna()
    w = data.loc[keep, "w"]
    return float((w * outcome[keep]).sum() / w.sum()), int(keep.sum())

improved_water = [11, 12, 13, 14, 21, 31, 41, 51, 61, 62, 71, 72]
water = np.where(heads.hv201 == 99, np.nan,
                 (heads.hv201.isin(improved_water) & ((heads.hv204 <= 30) | (heads.hv204 == 996))).astype(float))
improved_toilet = [11, 12, 13, 15, 21, 22, 41]
sanitation = np.where(heads.hv205 == 99, np.nan,
                      (heads.hv205.isin(improved_toilet) & (heads.hv225 == 0)).astype(float))
electricity = heads.hv206.where(heads.hv206.isin([0, 1])).astype(float)
fuel = np.where(heads.hv226 == 99, np.nan, heads.hv226.isin([1, 2, 3, 4, 95]).astype(float))
persons = frame[(frame.hv105 >= 20) & (frame.hv105 <= 35)].copy()
persons["w"] = persons.hv005 / 1e6
secondary = (persons.hv109 >= 4).astype(float).where(persons.hv109 != 8)

expected = {}
for name, data, y in [
    ("dhs_basic_water", heads, pd.Series(water, index=heads.index)),
    ("dhs_basic_sanitation", heads, pd.Series(sanitation, index=heads.index)),
    ("dhs_electricity", heads, electricity),
    ("dhs_clean_fuel", heads, pd.Series(fuel, index=heads.index)),
    ("dhs_secondary_completion", persons, secondary),
]:
    r, n = rate(data, y)
    expected[name] = {"rate": r, "n": n}
expected["records"] = len(frame)
expected["households"] = int(len(heads))
Path("tests/fixtures/dhs/expected.json").write_text(json.dumps(expected, indent=1) + "\n")
print(json.dumps(expected, indent=1))
