"""Reading usage counts from CSV: community;lid;jaar;kwartaal;aantal. Pure:
checks the format of every row and reports all problems at once; matching
codes to communities and members is the import service's job."""

import csv
import io
import re
from dataclasses import dataclass, field

HEADERS = ("community", "lid", "jaar", "kwartaal", "aantal")
_THOUSANDS = re.compile(r"^\d{1,3}(\.\d{3})+$", re.ASCII)
_QUARTER = re.compile(r"^(?:Q|K)?([1-4])$", re.IGNORECASE)


@dataclass(frozen=True)
class UsageRow:
    regel: int
    community: str
    lid: str
    jaar: int
    kwartaal: int
    aantal: int


@dataclass
class ParseResult:
    rows: list[UsageRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def parse_usage_csv(text: str) -> ParseResult:
    result = ParseResult()
    sample = text[:2048]
    delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower().lstrip("\ufeff") for h in next(reader, [])]
    missing = [h for h in HEADERS if h not in header]
    if missing:
        result.errors.append(f"Kolom ontbreekt: {', '.join(missing)} (verwacht: {';'.join(HEADERS)}).")
        return result
    index = {h: header.index(h) for h in HEADERS}
    for number, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        cell = {h: (values[i].strip() if i < len(values) else "") for h, i in index.items()}
        problems = []
        jaar = cell["jaar"]
        if not (jaar.isdigit() and 2000 <= int(jaar) <= 2100):
            problems.append(f"jaar '{jaar}' is geen geldig jaar")
        quarter = _QUARTER.match(cell["kwartaal"])
        if not quarter:
            problems.append(f"kwartaal '{cell['kwartaal']}' is geen 1, 2, 3 of 4")
        count = cell["aantal"]
        count = count.replace(".", "") if _THOUSANDS.match(count) else count  # 10.000, never 12.5
        if count.startswith("-"):
            problems.append(f"aantal '{cell['aantal']}' is negatief")
        elif not count.isdigit():
            problems.append(f"aantal '{cell['aantal']}' is geen geheel getal")
        for name in ("community", "lid"):
            if not cell[name]:
                problems.append(f"{name} is leeg")
        if problems:
            result.errors.append(f"Regel {number}: {'; '.join(problems)}.")
            continue
        result.rows.append(
            UsageRow(number, cell["community"], cell["lid"], int(jaar), int(quarter.group(1)), int(count))
        )
    return result
