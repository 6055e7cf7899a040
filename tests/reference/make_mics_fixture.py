"""A synthetic MICS6 survey as SPSS .sav files (hh, hl, wm, ch), and its expected rates.

No real MICS data: values are drawn here from a seeded generator, with the file splits, keys,
variable names, codes and value labels of MICS6 (HH1 cluster, HH2 household, HL1/LN line,
hhweight/wmweight/chweight, HH6 area, HH7 region, windex5, stratum, PSU), including missing codes
(9, 99, 998) and the anthropometry flags (HAZFLAG, WHZFLAG), which the profile must treat as
missing. Women and children not interviewed (WM17, UF17 other than 1) carry a weight of 0, as in
MICS files. The expected rates are computed independently here with pandas, the files joined
with pandas merges, each indicator over its own rows with its own weight, as
specs/profiles/mics.toml defines them.

Run from the repository root:  python3 tests/reference/make_mics_fixture.py
(needs pandas and pyreadstat; the .sav header carries the time of writing, so a rerun changes
those bytes but no value.)
"""
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat

rng = np.random.default_rng(20261203)
OUT = Path("specs/data")
households, members, women, children = [], [], [], []
for cluster in range(1, 71):
    region = 1 + (cluster - 1) % 4
    urban = 1 if cluster % 3 == 0 else 2
    stratum = 2 * region - (urban == 1)
    base_weight = float(rng.uniform(0.4, 2.5))
    for hh in range(1, 9):
        wealth = int(np.clip(rng.normal(3.5 if urban == 1 else 2.5, 1.2), 1, 5).round())
        size = int(rng.integers(1, 9))
        head_sex = int(rng.choice([1, 2], p=[.75, .25]))
        head_edu = int(rng.choice([0, 1, 2, 3, 4, 9], p=[.2, .3, .2, .15, .12, .03]))
        religion = int(rng.choice([1, 2, 3, 6], p=[.5, .3, .15, .05]))
        ages = [int(rng.integers(22, 70))] + [int(rng.integers(0, 60)) for _ in range(size - 1)]
        sexes = [head_sex] + [int(rng.choice([1, 2])) for _ in range(size - 1)]
        p_good = 0.3 + 0.12 * wealth
        households.append(dict(
            HH1=cluster, HH2=hh, HH6=urban, HH7=region, HH9=1, HH48=size,
            HH51=sum(a < 5 for a in ages), hhweight=base_weight, windex5=wealth, HHSEX=head_sex,
            helevel=head_edu, HC1A=religion, stratum=stratum, PSU=cluster,
            WS1=int(rng.choice([11, 12, 13, 14, 21, 31, 32, 41, 42, 51, 61, 81, 91, 99],
                               p=[.1, .1, .05, .05, .15, .1, .1, .05, .05, .05, .05, .08, .05, .02])),
            WS3=int(rng.choice([1, 2, 3], p=[.3, .2, .5])),
            WS4=int(rng.choice([10, 20, 30, 45, 60, 998], p=[.25, .25, .15, .15, .1, .1])),
            WS11=int(rng.choice([11, 12, 13, 14, 18, 21, 22, 23, 31, 41, 95, 99],
                                p=[.1, .15, .1, .05, .05, .1, .15, .1, .05, .05, .08, .02])),
            WS15=int(rng.choice([1, 2, 9], p=[.25, .73, .02])),
            HC8=int(rng.choice([1, 2, 3, 9], p=[p_good * .8, p_good * .2, 1 - p_good - .02, .02])),
            EU1=int(rng.choice([1, 2, 3, 4, 5, 6, 7, 8, 9, 97, 99],
                               p=[.05, .02, .25, .03, .02, .05, .1, .2, .18, .05, .05])),
        ))
        women_here = []
        for line, (age, sex) in enumerate(zip(ages, sexes), start=1):
            ed = int(rng.choice([0, 1, 2, 3, 4, 8, 9], p=[.15, .3, .2, .15, .12, .05, .03])) if age >= 5 else None
            members.append(dict(
                HH1=cluster, HH2=hh, HL1=line, HL3=1 if line == 1 else int(rng.choice([2, 3])),
                HL4=sex, HL6=age, ED5A=ed, hhweight=base_weight, HH6=urban, HH7=region,
                windex5=wealth, stratum=stratum, PSU=cluster))
            if sex == 2 and 15 <= age <= 49:
                women_here.append(line)
                done = rng.random() > 0.06
                married = int(rng.choice([1, 2, 3], p=[.6, .1, .3])) if age >= 18 else int(rng.choice([1, 3], p=[.2, .8]))
                birth = int(rng.random() < 0.3) if married != 3 else 0
                record = dict(HH1=cluster, HH2=hh, LN=line, WM17=1 if done else 4,
                              wmweight=base_weight * float(rng.uniform(0.9, 1.2)) if done else 0.0,
                              HH6=urban, HH7=region, windex5=wealth, stratum=stratum, PSU=cluster)
                if done:
                    modern = married == 1 and rng.random() < 0.45
                    method = str(rng.choice(list("ABCDEFGHIJ"))) if modern else ""
                    traditional = married == 1 and not modern and rng.random() < 0.1
                    mn = {}
                    if birth:
                        p = 0.4 + 0.1 * wealth
                        mn = dict(MN19A="A" if rng.random() < p * .5 else "",
                                  MN19B="B" if rng.random() < p * .6 else "",
                                  MN19C="C" if rng.random() < .1 else "")
                        if rng.random() < 0.03:
                            mn = dict(MN19A="", MN19B="", MN19C="", MN19NR="?")
                    internet_ever = int(rng.choice([1, 2], p=[.6, .4]))
                    record.update(
                        WB4=age, welevel=int(rng.choice([0, 1, 2, 3, 4, 9], p=[.15, .3, .2, .18, .14, .03])),
                        MSTATUS=married,
                        WAGEM=int(rng.integers(12, min(age, 30) + 1)) if married != 3 else None,
                        CP2=1 if (modern or traditional) else 2,
                        **{f"CP4{x}": (method if method == x else "") for x in "ABCDEFGHIJ"},
                        CP4L="L" if traditional else "",
                        CM17=birth, **mn,
                        **{f"DV1{x}": int(rng.choice([1, 2, 8], p=[.25, .7, .05])) for x in "ABCDE"},
                        MT9=internet_ever,
                        MT10=int(rng.choice([0, 1, 2, 3])) if internet_ever == 1 else None,
                        MT11=int(rng.choice([1, 2], p=[.7, .3])),
                        WB18=int(rng.choice([1, 2, 9], p=[.35, .62, .03])),
                        disability=int(rng.choice([1, 2], p=[.12, .88])) if age >= 18 else None,
                    )
                women.append(record)
        for line, age in enumerate(ages, start=1):
            if age >= 5 or not women_here:
                continue
            done = rng.random() > 0.05
            record = dict(HH1=cluster, HH2=hh, LN=line, UF4=women_here[0], UF17=1 if done else 3,
                          chweight=base_weight * float(rng.uniform(0.9, 1.2)) if done else 0.0,
                          HH6=urban, HH7=region, windex5=wealth, stratum=stratum, PSU=cluster,
                          HL4=sexes[line - 1])
            if done:
                haz = float(rng.normal(-1.5 + 0.25 * wealth, 1.2))
                whz = float(rng.normal(-0.3, 1.1))
                record.update(UB2=age, HAZ2=round(haz, 2), WHZ2=round(whz, 2),
                              HAZFLAG=int(rng.random() < 0.04), WHZFLAG=int(rng.random() < 0.04),
                              cdisability=int(rng.choice([1, 2], p=[.1, .9])) if age >= 2 else None)
                if rng.random() < 0.03:   # not measured
                    record.update(HAZ2=None, WHZ2=None, HAZFLAG=None, WHZFLAG=None)
            children.append(record)

hh, hl, wm, ch = (pd.DataFrame(r) for r in (households, members, women, children))
yes_no = {1: "Yes", 2: "No", 9: "No response"}
area = {1: "Urban", 2: "Rural"}
region = {1: "North", 2: "East", 3: "South", 4: "West"}
level = {0: "Pre-primary or none", 1: "Primary", 2: "Lower secondary", 3: "Upper secondary", 4: "Higher", 9: "Missing/DK"}
common = {"HH6": area, "HH7": region, "windex5": {1: "Poorest", 2: "Second", 3: "Middle", 4: "Fourth", 5: "Richest"}}
labels = {
    "hh": {**common, "HHSEX": {1: "Male", 2: "Female"}, "helevel": level,
           "HC1A": {1: "Religion A", 2: "Religion B", 3: "Religion C", 6: "No religion"},
           "WS15": yes_no, "HC8": {1: "Yes, interconnected grid", 2: "Yes, off-grid", 3: "No", 9: "No response"},
           "WS4": {998: "DK"}, "EU1": {97: "No food cooked in household", 99: "No response"}},
    "hl": {**common, "HL4": {1: "Male", 2: "Female"},
           "ED5A": {0: "ECE", 1: "Primary", 2: "Lower secondary", 3: "Upper secondary", 4: "Higher", 8: "DK", 9: "No response"}},
    "wm": {**common, "WM17": {1: "Completed", 4: "Refused"}, "welevel": level,
           "MSTATUS": {1: "Currently married/in union", 2: "Formerly married/in union", 3: "Never married/in union"},
           "CP2": yes_no, "CM17": {0: "No", 1: "Yes"}, "MT9": yes_no, "MT11": yes_no, "WB18": yes_no,
           "MT10": {0: "Not at all", 1: "Less than once a week", 2: "At least once a week", 3: "Almost every day"},
           "disability": {1: "Has functional difficulty", 2: "Has no functional difficulty"},
           **{f"DV1{x}": {1: "Yes", 2: "No", 8: "DK"} for x in "ABCDE"}},
    "ch": {**common, "UF17": {1: "Completed", 3: "Refused"}, "HL4": {1: "Male", 2: "Female"},
           "HAZFLAG": {0: "No", 1: "Flagged"}, "WHZFLAG": {0: "No", 1: "Flagged"},
           "cdisability": {1: "Has functional difficulty", 2: "Has no functional difficulty"}},
}
for name, frame in [("hh", hh), ("hl", hl), ("wm", wm), ("ch", ch)]:
    pyreadstat.write_sav(frame, OUT / f"mics_example_{name}.sav", variable_value_labels=labels[name],
                         file_label=f"Synthetic MICS6-like {name} file")

# Reference rates, independently: hl joined with hh (HH1, HH2), wm (HH1, HH2, LN = HL1) and ch.
full = hl.merge(hh.drop(columns=["HH6", "HH7", "windex5", "hhweight", "stratum", "PSU"]),
                on=["HH1", "HH2"], how="left", validate="many_to_one")
full = full.merge(wm.drop(columns=["HH6", "HH7", "windex5", "stratum", "PSU"]).rename(columns={"LN": "HL1"}),
                  on=["HH1", "HH2", "HL1"], how="left", validate="one_to_one", indicator="in_women")
full["in_women"] = full.in_women == "both"
full = full.merge(ch.drop(columns=["HH6", "HH7", "windex5", "stratum", "PSU", "HL4"]).rename(columns={"LN": "HL1"}),
                  on=["HH1", "HH2", "HL1"], how="left", validate="one_to_one", indicator="in_children")
full["in_children"] = full.in_children == "both"
assert len(full) == len(hl)

def known(series, codes):
    return series.where(series.isin(codes))

head = full.HL3 == 1
circ = {
    "wealth_b40": pd.Series(np.where(full.windex5 <= 2, 1, 2), index=full.index).astype(float),
    "residence": full.HH6.astype(float),
    "head_education": known(full.helevel, [0, 1, 2, 3, 4]),
    "head_sex": known(full.HHSEX, [1, 2]),
    "sex": known(full.HL4, [1, 2]),
    "education": known(full.welevel, [0, 1, 2, 3, 4]),
    "age_group": pd.Series(np.select([full.HL6 < 15, full.HL6 < 25, full.HL6 < 35, full.HL6 < 50], [np.nan, 1, 2, 3], 4), index=full.index),
    "children_under5": full.HH51.clip(upper=2).astype(float),
    "religion": full.HC1A.astype(float),
    "disability": known(full.disability, [1, 2]),
}
improved_water = [11, 12, 13, 14, 21, 31, 41, 51, 61, 71, 72, 91, 92]
improved_toilet = [11, 12, 13, 18, 21, 22, 31]
hh_c = ["wealth_b40", "residence", "head_education", "head_sex", "children_under5", "religion"]
person_c = ["wealth_b40", "residence", "sex", "head_sex"]
women_c = ["wealth_b40", "residence", "education", "age_group", "children_under5", "religion", "disability"]
marriage_c = [c for c in women_c if c != "age_group"]   # all 20-24: one age group
child_c = ["wealth_b40", "residence", "head_education", "sex", "children_under5"]
w_hh, w_wm, w_ch = full.hhweight, full.wmweight, full.chweight
modern = (full[[f"CP4{x}" for x in "ABCDEFGHIJ"]].fillna("") != "").any(axis=1).astype(float)
mn = full[["MN19A", "MN19B", "MN19C"]].fillna("")
skilled = (mn != "").any(axis=1).astype(float).where(full.MN19NR.fillna("") != "?")
dv = full[[f"DV1{x}" for x in "ABCDE"]]
attained = (full.ED5A >= 3).astype(float).where(full.ED5A.isin([0, 1, 2, 3, 4]))
internet = pd.Series(np.select([full.MT9 == 2, full.MT10.isin([1, 2, 3]), full.MT10 == 0], [0.0, 1.0, 0.0], np.nan), index=full.index)
haz = full.HAZ2.where(full.HAZFLAG == 0)
whz = full.WHZ2.where(full.WHZFLAG == 0)
women_done = full.in_women & (full.WM17 == 1)
children_done = full.in_children & (full.UF17 == 1)
specs = {
    "mics_electricity": (head, known(full.HC8, [1, 2, 3]).map({1: 1.0, 2: 1.0, 3: 0.0}), w_hh, hh_c),
    "mics_clean_fuel": (head, pd.Series(np.where(full.EU1 == 99, np.nan, full.EU1.isin([1, 2, 3, 4, 5, 97]).astype(float)), index=full.index), w_hh, hh_c),
    "mics_basic_water": (head, pd.Series(np.where(full.WS1 == 99, np.nan, (full.WS1.isin(improved_water) & (full.WS3.isin([1, 2]) | (full.WS4 <= 30))).astype(float)), index=full.index), w_hh, hh_c),
    "mics_basic_sanitation": (head, pd.Series(np.where((full.WS11 == 99) | (full.WS15 == 9), np.nan, (full.WS11.isin(improved_toilet) & (full.WS15 == 2)).astype(float)), index=full.index), w_hh, hh_c),
    "mics_upper_secondary_20_35": (full.HL6.between(20, 35), attained, w_hh, person_c),
    "mics_upper_secondary_36plus": (full.HL6 >= 36, attained, w_hh, person_c),
    "mics_modern_contraception": (women_done & (full.MSTATUS == 1), modern, w_wm, women_c),
    "mics_skilled_birth": (women_done & (full.CM17 == 1), skilled, w_wm, women_c),
    "mics_child_marriage_15": (women_done & full.WB4.between(20, 24), (full.WAGEM < 15).astype(float), w_wm, marriage_c),
    "mics_child_marriage_18": (women_done & full.WB4.between(20, 24), (full.WAGEM < 18).astype(float), w_wm, marriage_c),
    "mics_wife_beating_justified": (women_done, (dv == 1).any(axis=1).astype(float), w_wm, women_c),
    "mics_mobile_phone": (women_done, known(full.MT11, [1, 2]).map({1: 1.0, 2: 0.0}), w_wm, women_c),
    "mics_internet": (women_done, internet, w_wm, women_c),
    "mics_health_insurance": (women_done, known(full.WB18, [1, 2]).map({1: 1.0, 2: 0.0}), w_wm, women_c),
    "mics_stunting": (children_done, (haz < -2).astype(float).where(haz.notna()), w_ch, child_c),
    "mics_wasting": (children_done, (whz < -2).astype(float).where(whz.notna()), w_ch, child_c),
    "mics_overweight": (children_done, (whz > 2).astype(float).where(whz.notna()), w_ch, child_c),
}

def reference(population, outcome, weight, circumstances):
    keep = population & outcome.notna()
    for c in circumstances:
        keep &= circ[c].notna()
    y, w = outcome[keep], weight[keep]
    out = {"rate": float((w * y).sum() / w.sum()), "n": int(keep.sum()), "by": {}}
    for c in circumstances:
        levels = circ[c][keep]
        out["by"][c] = {
            str(int(v)): {"rate": float((w[levels == v] * y[levels == v]).sum() / w[levels == v].sum()),
                          "n": int((levels == v).sum())}
            for v in sorted(levels.unique())
        }
    regions = full.HH7[keep].map(region)
    out["regions"] = {name: float((w[regions == name] * y[regions == name]).sum() / w[regions == name].sum())
                      for name in sorted(regions.unique())}
    return out

expected = {name: reference(*spec) for name, spec in specs.items()}
expected["records"] = len(hl)
expected["households"] = len(hh)
expected["women"] = len(wm)
expected["children"] = len(ch)
Path("tests/fixtures/mics/expected.json").write_text(json.dumps(expected, indent=1) + "\n")
print({k: (v["rate"], v["n"]) if isinstance(v, dict) else v for k, v in expected.items()})
