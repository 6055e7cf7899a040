"""SPSS fixtures for vnr-brief's .sav reader, written by ReadStat (pyreadstat).

One small table saved uncompressed, bytecode-compressed (.sav) and zlib-compressed (.zsav), with
value labels (one code without a label), system-missing values, user-missing values (a discrete
code and a range) and strings. expected.json holds what each file must read back to. The 150-
household synthetic survey of the Stata fixtures is also saved as .sav, so a test can check that
the pipeline gives the same results from it as from the CSV.

Run from the repository root after make_stata_fixtures.py:
    python3 tests/reference/make_spss_fixtures.py
"""
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat

OUT = Path("tests/fixtures/spss")
OUT.mkdir(parents=True, exist_ok=True)

frame = pd.DataFrame(
    {
        "id": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        "urban": [1.0, 2.0, 2.0, 1.0, 2.0, 9.0],       # 9 = user-missing (discrete)
        "water": [11.0, 12.0, 99.0, 61.0, 11.0, 12.0],  # 99 has no label
        "income": [250.0, np.nan, 997.0, 999.0, 10.0, 0.0],  # 997-999 = user-missing (range)
        "name": ["Aceh", "Bali", "", "Nusa Tenggara Timur", "Sulawesi Utara", "Papua"],
    }
)
labels = {
    "urban": {1: "Urban", 2: "Rural", 9: "Not stated"},
    "water": {11: "Piped into dwelling", 12: "Piped to yard", 61: "Tanker truck"},
}
missing = {"urban": [9], "income": [{"lo": 997, "hi": 999}]}
for name, kwargs in [
    ("plain.sav", {}),
    ("bytecode.sav", {"compress": False, "row_compress": True}),
    ("zlib.zsav", {"compress": True}),
]:
    pyreadstat.write_sav(frame, OUT / name, variable_value_labels=labels,
                         missing_ranges=missing, **kwargs)

expected = {
    "columns": ["id", "urban", "urban_label", "water", "water_label", "income", "name"],
    "id": [1, 2, 3, 4, 5, 6],
    "urban": [1, 2, 2, 1, 2, None],
    "urban_label": ["Urban", "Rural", "Rural", "Urban", "Rural", None],
    "water": [11, 12, 99, 61, 11, 12],
    "water_label": ["Piped into dwelling", "Piped to yard", "99", "Tanker truck",
                    "Piped into dwelling", "Piped to yard"],
    "income": [250.0, None, None, None, 10.0, 0.0],
    "name": ["Aceh", "Bali", None, "Nusa Tenggara Timur", "Sulawesi Utara", "Papua"],
    "files": ["plain.sav", "bytecode.sav", "zlib.zsav"],
}
(OUT / "expected.json").write_text(json.dumps(expected, indent=1) + "\n")

for name in ("nusantara_2021", "nusantara_2024"):
    survey = pd.read_csv(f"tests/fixtures/stata/{name}.csv", keep_default_na=False, na_values=[""])
    for c in survey.columns:
        if survey[c].dtype == object or str(survey[c].dtype).startswith("str"):
            survey[c] = survey[c].fillna("").astype(str)
        else:
            survey[c] = survey[c].astype(float)
    pyreadstat.write_sav(survey, OUT / f"{name}.sav", row_compress=True)
print("written:", sorted(p.name for p in OUT.iterdir()))
