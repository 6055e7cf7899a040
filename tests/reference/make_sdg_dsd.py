"""Writes src/spec/sdmx/dsd.tsv, the parts of the SDG global data structure (DSD IAEG-SDGs:SDG(1.14))
that the SDMX export checks codes against, from the DSD's SDMX-ML and the global content constraints.

    python3 tests/reference/make_sdg_dsd.py DSD.xml CONSTRAINTS.csv > src/spec/sdmx/dsd.tsv

DSD.xml: the SDG DSD 1.14 structure message with its codelists (detail=full, references=children).
CONSTRAINTS.csv: the global content constraints, one row per series (SERIES, Name, UNIT_MEASURE,
UNIT_MULT, then the codes each dimension allows, "ALL" or ";"-separated).

Lines (tab-separated):
    CODE <dimension> <code>                one code of a dimension's codelist (REF_AREA: CL_AREA)
    SERIES <code> <indicator> <unit> <SEX> <AGE> <URBANISATION> <INCOME_WEALTH_QUANTILE>
           <EDUCATION_LEV> <DISABILITY_STATUS> <name>
    (unit and allowed codes empty when the constraints do not list the series)
"""
import csv
import sys
import xml.etree.ElementTree as ET

S = "{http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure}"
C = "{http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common}"
DIMENSIONS = {
    "CL_AREA": "REF_AREA",
    "CL_SEX": "SEX",
    "CL_AGE": "AGE",
    "CL_URBANISATION": "URBANISATION",
    "CL_QUANTILE": "INCOME_WEALTH_QUANTILE",
    "CL_EDUCATION_LEV": "EDUCATION_LEV",
    "CL_DISABILITY": "DISABILITY_STATUS",
}
ALLOWED = ["SEX", "AGE", "URBANISATION", "INCOME_WEALTH_QUANTILE", "EDUCATION_LEV", "DISABILITY_STATUS"]


def main(dsd_path, constraints_path):
    root = ET.parse(dsd_path).getroot()
    dsd = next(root.iter(S + "DataStructure"))
    out = [f"# SDG global DSD {dsd.get('agencyID')}:{dsd.get('id')}({dsd.get('version')}); written by tests/reference/make_sdg_dsd.py"]
    constraints = {r["SERIES"]: r for r in csv.DictReader(open(constraints_path, newline=""))}
    for cl in root.iter(S + "Codelist"):
        cid = cl.get("id")
        if cid in DIMENSIONS:
            for code in cl.findall(S + "Code"):
                out.append(f"CODE\t{DIMENSIONS[cid]}\t{code.get('id')}")
        if cid == "CL_SERIES":
            for code in cl.findall(S + "Code"):
                sid = code.get("id")
                indicators = [
                    a.findtext(C + "AnnotationText")
                    for a in code.iter(C + "Annotation")
                    if a.findtext(C + "AnnotationType") == "Indicator"
                ]
                name = " ".join(code.findtext(C + "Name").split())
                r = constraints.get(sid)
                unit = r["UNIT_MEASURE"] if r else ""
                allowed = [r[d] if r else "" for d in ALLOWED]
                out.append("\t".join(["SERIES", sid, ";".join(indicators), unit, *allowed, name]))
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
