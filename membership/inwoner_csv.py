"""Reading a CBS StatLine-style export of inwonertallen. Pure: it checks the
format of every row and reports all problems at once; matching codes to
gemeenten is the import service's job."""

import csv
import io
import re
from dataclasses import dataclass, field

CODE_HEADERS = ("gemeentecode", "code", "regios", "regio", "cbscode", "gemeente")
YEAR_HEADERS = ("jaar", "perioden", "periode", "peiljaar", "year")
COUNT_PREFIXES = ("inwoners", "aantal", "bevolking", "inwonertal", "totalebevolking")
STATUS_HEADERS = ("status",)

_THOUSANDS = re.compile(r"^\d{1,3}(\.\d{3})+$", re.ASCII)
_PLAIN = re.compile(r"^\d+$", re.ASCII)
_YEAR = re.compile(r"^(\d{4})(JJ00)?(\*)?$", re.ASCII)


@dataclass(frozen=True)
class InwonerRow:
    regel: int
    gemeente: str  # as written: GM0772, 0772 or a name
    jaar: int
    aantal: int
    status: str | None  # voorlopig / definitief, None when the file does not say


@dataclass
class ParseResult:
    rows: list[InwonerRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _key(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.strip().lower().replace("\ufeff", ""))


def _find_column(keys: list[str], *, exact=(), prefixes=()) -> int | None:
    for i, key in enumerate(keys):
        if key in exact or any(key.startswith(p) for p in prefixes):
            return i
    return None


def decode(data: bytes) -> str:
    # Excel's "Unicode text" export is UTF-16 with a byte order mark.
    encodings = ("utf-16",) if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ("utf-8-sig", "cp1252")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    raise ValueError("Het bestand is geen leesbare tekst (UTF-8, UTF-16 of Windows-1252).")


def parse_count(value: str) -> int:
    text = value.strip().replace("\u00a0", "").replace(" ", "")
    if text.startswith("-"):
        raise ValueError(f"negatief aantal inwoners '{value.strip()}'")
    if _PLAIN.match(text):
        return int(text)
    if _THOUSANDS.match(text):
        return int(text.replace(".", ""))
    raise ValueError(f"'{value.strip()}' is geen geldig aantal inwoners")


def parse_year(value: str) -> tuple[int, bool]:
    """Year and whether CBS marked it as provisional ('2024*')."""
    match = _YEAR.match(value.strip())
    if not match or not 1900 <= int(match.group(1)) <= 2100:
        raise ValueError(f"'{value.strip()}' is geen geldig jaar")
    return int(match.group(1)), bool(match.group(3))


def parse_inwoner_csv(text: str) -> ParseResult:
    result = ParseResult()
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        result.errors.append("Het bestand is leeg of heeft geen kopregel.")
        return result
    # CBS exports use ';'; spreadsheets often ',' or a tab: the header decides.
    delimiter = max(";,\t", key=lines[0].count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        return _parse_rows(reader, result)
    except csv.Error as error:
        # e.g. an unclosed quote swallowing the rest of the file
        result.errors.append(f"Regel {reader.line_num}: het bestand is geen geldige CSV ({error}).")
        return result


def _parse_rows(reader, result: ParseResult) -> ParseResult:
    header = next(reader)
    keys = [_key(h) for h in header]
    code_col = _find_column(keys, exact=CODE_HEADERS)
    year_col = _find_column(keys, exact=YEAR_HEADERS)
    count_col = _find_column(keys, prefixes=COUNT_PREFIXES)
    status_col = _find_column(keys, exact=STATUS_HEADERS)
    missing = [
        label for label, col in (("gemeentecode", code_col), ("jaar", year_col), ("inwoners", count_col)) if col is None
    ]
    if missing:
        result.errors.append(
            "Kopregel: kolom ontbreekt: " + ", ".join(missing) + f" (gevonden: {', '.join(h.strip() for h in header)})."
        )
        return result

    seen: dict[tuple[str, int], int] = {}
    for values in reader:
        regel = reader.line_num  # the line in the file, also after a quoted line break
        if not any(v.strip() for v in values):
            continue
        if len(values) <= max(code_col, year_col, count_col):
            result.errors.append(f"Regel {regel}: te weinig kolommen.")
            continue
        if any(v.strip() for v in values[len(header) :]):
            # e.g. '239,123' unquoted in a comma-separated file
            result.errors.append(f"Regel {regel}: meer kolommen dan de kopregel (staat er een komma in een getal?).")
            continue
        gemeente = values[code_col].strip()
        problems = []
        if not gemeente:
            problems.append("gemeentecode ontbreekt")
        try:
            jaar, provisional = parse_year(values[year_col])
        except ValueError as exc:
            problems.append(str(exc))
            jaar, provisional = None, False
        try:
            aantal = parse_count(values[count_col])
        except ValueError as exc:
            problems.append(str(exc))
            aantal = None
        status = None
        if status_col is not None and status_col < len(values) and values[status_col].strip():
            status = values[status_col].strip().lower()
            if status not in ("voorlopig", "definitief"):
                problems.append(f"status '{values[status_col].strip()}' is niet 'voorlopig' of 'definitief'")
        elif provisional:
            status = "voorlopig"
        if not problems:
            key = (gemeente.upper(), jaar)
            if key in seen:
                problems.append(f"{gemeente} {jaar} staat dubbel in het bestand (ook op regel {seen[key]})")
            else:
                seen[key] = regel
        if problems:
            result.errors.append(f"Regel {regel}: " + "; ".join(problems) + ".")
        else:
            result.rows.append(InwonerRow(regel=regel, gemeente=gemeente, jaar=jaar, aantal=aantal, status=status))
    if not result.rows and not result.errors:
        result.errors.append("Het bestand bevat geen gegevensregels.")
    return result
