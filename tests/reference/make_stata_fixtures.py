"""Stata fixtures for vnr-brief's .dta reader, written by two independent writers.

pandas writes releases 114, 117, 118 and 119 (value labels, system missing, strL in 117+);
pyreadstat (ReadStat) writes release 118 with tagged missing values (.a, .b). The expected
values (what each file holds) are written to expected.json, so the Rust tests run without Python.

A small synthetic survey (from `vnr-brief synth`) is also saved as .dta, so a test can check that
the whole pipeline gives the same results from the .dta as from the CSV.

Run from the repository root:  python3 tests/reference/make_stata_fixtures.py
(needs `pip install pandas pyreadstat` and a built `target/debug/vnr-brief`).
"""
import json
import math
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat

OUT = Path("tests/fixtures/stata")
OUT.mkdir(parents=True, exist_ok=True)

# A table exercising every reader path: byte/int/long/double columns, value labels (one code
# without a label), missing values, fixed strings with non-ASCII text and an empty string.
frame = pd.DataFrame(
    {
        "id": np.array([1, 2, 3, 4, 5], dtype=np.int32),
        "urban": np.array([1, 2, 2, 1, 2], dtype=np.int8),
        "water": np.array([11, 12, 99, 61, 11], dtype=np.int16),
        "score": [0.25, np.nan, -1.5, 1e6, 3.0],
        "name": ["Aceh", "Bali", "Jawa Barat", "Nusa Tenggara Timur", "Sulawesi Utara"],
    }
)
labels = {
    "urban": {1: "Urban", 2: "Rural"},
    "water": {11: "Piped into dwelling", 12: "Piped to yard", 61: "Tanker truck"},
}

expected = {
    "columns": ["id", "urban", "urban_label", "water", "water_label", "score", "name"],
    "id": [1, 2, 3, 4, 5],
    "urban": [1, 2, 2, 1, 2],
    "urban_label": ["Urban", "Rural", "Rural", "Urban", "Rural"],
    "water": [11, 12, 99, 61, 11],
    # 99 has no label: the code itself stands in.
    "water_label": ["Piped into dwelling", "Piped to yard", "99", "Tanker truck", "Piped into dwelling"],
    "score": [0.25, None, -1.5, 1e6, 3.0],
    "name": list(frame["name"]),
    "files": {},
}

for version in (114, 117, 118, 119):
    path = OUT / f"pandas_{version}.dta"
    frame.to_stata(path, write_index=False, version=version, value_labels=labels)
    expected["files"][path.name] = {"writer": f"pandas {pd.__version__}", "release": version}

# strL (117+): a long text column stored in the strL section (release 118: UTF-8 text).
long = frame.copy()
long["note"] = ["x" * 3000, "", "short", "é" * 10, "last"]
path = OUT / "pandas_118_strl.dta"
long.to_stata(path, write_index=False, version=118, value_labels=labels, convert_strl=["note"])
expected["strl_note"] = ["x" * 3000, None, "short", "é" * 10, "last"]

# Tagged missing values (.a, .b) written by ReadStat: both become null.
tagged = pd.DataFrame({"id": [1.0, 2.0, 3.0, 4.0], "income": [100.0, -1.0, -2.0, 50.0]})
tagged["income"] = tagged["income"].astype(object)
tagged.loc[1, "income"] = "a"
tagged.loc[2, "income"] = "b"
path = OUT / "readstat_118_tagged.dta"
pyreadstat.write_dta(tagged, path, version=15, missing_user_values={"income": ["a", "b"]})
expected["tagged_income"] = [100.0, None, None, 50.0]

# A whole synthetic survey, for the CSV-versus-.dta pipeline test.
with tempfile.TemporaryDirectory() as tmp:
    for wave, name in ((0, "nusantara_2021"), (1, "nusantara_2024")):
        csv = Path(tmp) / f"{name}.csv"
        subprocess.run(
            ["target/debug/vnr-brief", "synth", "--out", str(csv), "--households", "150",
             "--seed", "2031", "--wave", str(wave)],
            check=True,
        )
        # Only empty fields are missing ("None" is an education level here).
        survey = pd.read_csv(csv, keep_default_na=False, na_values=[""])
        # Stata has no 64-bit integers; the generator's ids and codes fit in 32 bits.
        for c in survey.columns:
            if survey[c].dtype == np.int64:
                survey[c] = survey[c].astype(np.int32)
            if survey[c].dtype == object:
                survey[c] = survey[c].fillna("")
        survey.to_stata(OUT / f"{name}.dta", write_index=False, version=118)
        (OUT / f"{name}.csv").write_text(csv.read_text())

(OUT / "expected.json").write_text(json.dumps(expected, indent=1, ensure_ascii=False) + "\n")
print("written:", sorted(p.name for p in OUT.iterdir()))
