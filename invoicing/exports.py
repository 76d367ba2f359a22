"""The finance reports as one table each, written to the screen, CSV (as
Dutch Excel reads it: `;`, decimal comma, UTF-8 with BOM), XLSX (numbers as
numbers) and PDF, from the same rows and totals."""

import csv
import io
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from beware.common.pdf import RenderedDocument, render_pdf
from beware.common.templatetags.money import decimal_plain, euro

from .reports import (
    AGEING_BUCKETS,
    BudgetReport,
    CommunityReport,
    ContributionReport,
    DebtorsReport,
)

TEXT, MONEY, INTEGER, PERCENT, DATE = "text", "money", "integer", "percent", "date"
NUMERIC = {MONEY, INTEGER, PERCENT}
XLSX_FORMATS = {MONEY: "#,##0.00", INTEGER: "#,##0", PERCENT: "0.0", DATE: "DD-MM-YYYY"}
PDF_TEMPLATE = "invoicing/reports/report_pdf.html"
FORMATS = ("csv", "xlsx", "pdf")


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = TEXT

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC


@dataclass(frozen=True)
class Cell:
    text: str
    numeric: bool


@dataclass(frozen=True)
class Table:
    title: str
    caption: str  # the filters in words, e.g. "Contributie 2026"
    columns: tuple[Column, ...]
    rows: tuple[tuple, ...]
    totals: tuple | None
    filename: str  # without extension

    def _cells(self, values) -> list[Cell]:
        return [Cell(display(v, c.kind), c.kind in NUMERIC) for v, c in zip(values, self.columns, strict=True)]

    @property
    def display_rows(self) -> list[list[Cell]]:
        return [self._cells(row) for row in self.rows]

    @property
    def display_totals(self) -> list[Cell] | None:
        return self._cells(self.totals) if self.totals is not None else None


def display(value, kind: str) -> str:
    """A value as the screen and the PDF show it."""
    if value is None or value == "":
        return "–"
    if kind == MONEY:
        return euro(value)
    if kind == INTEGER:
        return decimal_plain(value, 0)
    if kind == PERCENT:
        text = decimal_plain(value, 1)
        return f"−{text[1:]} %" if text.startswith("-") else f"{text} %"
    if kind == DATE:
        return date_format(value, "d-m-Y")
    return str(value)


# --- the four reports as tables ---------------------------------------------


def contribution_table(report: ContributionReport) -> Table:
    return Table(
        title=_("Contributie per lid"),
        caption=_("Contributie %(jaar)s per lid") % {"jaar": report.jaar},
        columns=(
            Column(_("Lid")),
            Column(_("Inwoners"), INTEGER),
            Column(_("Maanden"), INTEGER),
            Column(_("Gefactureerd"), MONEY),
            Column(_("Gecrediteerd"), MONEY),
            Column(_("Betaald"), MONEY),
            Column(_("Openstaand"), MONEY),
        ),
        rows=tuple(
            (r.lid, r.inwoners, r.maanden, r.gefactureerd, r.gecrediteerd, r.betaald, r.openstaand) for r in report.rows
        ),
        totals=(
            _("Totaal"),
            report.inwoners,
            None,
            report.gefactureerd,
            report.gecrediteerd,
            report.betaald,
            report.openstaand,
        ),
        filename=f"contributie-{report.jaar}",
    )


BUCKET_LABELS = {
    "niet_vervallen": gettext_lazy("Niet vervallen"),
    "dagen_1_30": gettext_lazy("1–30 dagen"),
    "dagen_31_60": gettext_lazy("31–60 dagen"),
    "dagen_61_90": gettext_lazy("61–90 dagen"),
    "dagen_90_plus": gettext_lazy("> 90 dagen"),
}


def debtors_table(report: DebtorsReport) -> Table:
    buckets = [name for name, _first, _last in AGEING_BUCKETS]
    return Table(
        title=_("Debiteuren"),
        caption=_("Openstaande facturen per lid op %(datum)s, naar dagen na de vervaldatum")
        % {"datum": date_format(report.peildatum, "j F Y")},
        columns=(
            Column(_("Lid")),
            Column(_("Facturen"), INTEGER),
            *(Column(str(BUCKET_LABELS[name]), MONEY) for name in buckets),
            Column(_("Vervallen"), MONEY),
            Column(_("Openstaand"), MONEY),
            Column(_("Oudste vervaldatum"), DATE),
        ),
        rows=tuple(
            (
                r.lid,
                r.facturen,
                *(getattr(r, name) for name in buckets),
                r.vervallen,
                r.openstaand,
                r.oudste_vervaldatum,
            )
            for r in report.rows
        ),
        totals=(
            _("Totaal"),
            report.facturen,
            *(getattr(report, name) for name in buckets),
            report.vervallen,
            report.openstaand,
            None,
        ),
        filename=f"debiteuren-{report.peildatum:%Y-%m-%d}",
    )


def community_table(report: CommunityReport) -> Table:
    names = (
        "toegerekend",
        "verrekend",
        "gefactureerd_excl",
        "gecrediteerd_excl",
        "te_factureren",
        "gefactureerd",
        "gecrediteerd",
        "betaald",
        "openstaand",
    )
    return Table(
        title=_("Kosten en opbrengsten per community"),
        caption=(
            _("Kosten en opbrengsten per community in %(jaar)s") % {"jaar": report.jaar}
            if report.jaar
            else _("Kosten en opbrengsten per community, alle jaren")
        ),
        columns=(
            Column(_("Community")),
            Column(_("Toegerekend excl. btw"), MONEY),
            Column(_("Terug bij toetreding excl. btw"), MONEY),
            Column(_("Gefactureerd excl. btw"), MONEY),
            Column(_("Gecrediteerd excl. btw"), MONEY),
            Column(_("Nog te factureren excl. btw"), MONEY),
            Column(_("Gefactureerd incl. btw"), MONEY),
            Column(_("Gecrediteerd incl. btw"), MONEY),
            Column(_("Betaald"), MONEY),
            Column(_("Openstaand"), MONEY),
        ),
        rows=tuple((r.community, *(getattr(r, n) for n in names)) for r in report.rows),
        totals=(_("Totaal"), *(getattr(report, n) for n in names)),
        filename=f"communities-{report.jaar}" if report.jaar else "communities-alle-jaren",
    )


def budget_table(report: BudgetReport) -> Table:
    quarters = range(4)
    return Table(
        title=_("Begroting en realisatie"),
        caption=_("Begroting en realisatie %(jaar)s per categorie en kwartaal, excl. btw") % {"jaar": report.jaar},
        columns=(
            Column(_("Categorie")),
            *(
                column
                for q in quarters
                for column in (
                    Column(_("Begroting Q%(q)s") % {"q": q + 1}, MONEY),
                    Column(_("Realisatie Q%(q)s") % {"q": q + 1}, MONEY),
                )
            ),
            Column(_("Begroting jaar"), MONEY),
            Column(_("Realisatie jaar"), MONEY),
            Column(_("Verschil"), MONEY),
            Column(_("Realisatie (%)"), PERCENT),
        ),
        rows=tuple(
            (
                r.label,
                *(v for q in quarters for v in (r.begroot_kwartaal[q], r.gerealiseerd_kwartaal[q])),
                r.begroot,
                r.gerealiseerd,
                r.verschil,
                r.percentage,
            )
            for r in report.rows
            if r.begroot or any(r.gerealiseerd_kwartaal)
        ),
        totals=(
            _("Totaal"),
            *(v for q in report.kwartalen for v in (q.begroot, q.gerealiseerd)),
            report.begroot,
            report.gerealiseerd,
            report.verschil,
            report.percentage,
        ),
        filename=f"begroting-realisatie-{report.jaar}",
    )


def quarter_table(report: BudgetReport) -> Table:
    """The chart's figures: begroting and realisatie per quarter."""
    return Table(
        title=_("Per kwartaal"),
        caption=_("Begroting en realisatie %(jaar)s per kwartaal, excl. btw") % {"jaar": report.jaar},
        columns=(
            Column(_("Kwartaal")),
            Column(_("Begroting"), MONEY),
            Column(_("Realisatie"), MONEY),
            Column(_("Verschil"), MONEY),
            Column(_("Realisatie (%)"), PERCENT),
        ),
        rows=tuple((q.label, q.begroot, q.gerealiseerd, q.verschil, q.percentage) for q in report.kwartalen),
        totals=(_("Jaar"), report.begroot, report.gerealiseerd, report.verschil, report.percentage),
        filename=f"begroting-kwartalen-{report.jaar}",
    )


# --- files -------------------------------------------------------------------

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_value(value, kind: str) -> str:
    if value is None:
        return ""
    if kind in (MONEY, PERCENT):
        places = "0.01" if kind == MONEY else "0.1"
        return format(Decimal(value).quantize(Decimal(places)), "f").replace(".", ",")
    if kind == INTEGER:
        return str(int(value))
    if kind == DATE:
        return value.strftime("%d-%m-%Y")
    text = str(value)
    # A name like "=HYPERLINK(...)" must stay text in a spreadsheet.
    return f"'{text}" if text.startswith(FORMULA_START) else text


def to_csv(table: Table) -> bytes:
    """`;`-separated, decimal comma, no thousands separator, UTF-8 with BOM:
    what Excel with Dutch settings opens as numbers."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([c.label for c in table.columns])
    lines = [*table.rows, table.totals] if table.totals is not None else table.rows
    for row in lines:
        writer.writerow([_csv_value(v, c.kind) for v, c in zip(row, table.columns, strict=True)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _sheet_title(title: str) -> str:
    for char in "[]:*?/\\":
        title = title.replace(char, " ")
    return title[:31]


def to_xlsx(table: Table) -> bytes:
    """One sheet: a header row, the rows, a totals row; amounts as numbers."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _sheet_title(table.title)
    workbook.properties.title = table.caption
    bold = Font(bold=True)
    sheet.append([c.label for c in table.columns])
    for cell in sheet[1]:
        cell.font = bold
    lines = [*table.rows, table.totals] if table.totals is not None else list(table.rows)
    for row in lines:
        sheet.append([_xlsx_value(v, c.kind) for v, c in zip(row, table.columns, strict=True)])
    for index, column in enumerate(table.columns, start=1):
        letter = get_column_letter(index)
        if column.kind in XLSX_FORMATS:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = XLSX_FORMATS[column.kind]
        width = max([len(column.label), *(len(display(r[index - 1], column.kind)) for r in lines)], default=10)
        sheet.column_dimensions[letter].width = min(max(width + 2, 10), 50)
    if table.totals is not None:
        for cell in sheet[sheet.max_row]:
            cell.font = bold
    sheet.freeze_panes = "B2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _xlsx_value(value, kind: str):
    if value is None:
        return None
    if kind in (MONEY, PERCENT):
        return Decimal(value)
    if kind == INTEGER:
        return int(value)
    if kind == DATE:
        return value
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_START) else text


def to_pdf(table: Table, *, extra: dict | None = None) -> RenderedDocument:
    """The table as a landscape A4 PDF (always Dutch), with the report's
    extra parts (the budget chart) when given."""
    with translation.override("nl"):
        return render_pdf(
            PDF_TEMPLATE,
            {
                "table": table,
                "gemaakt_op": timezone.localtime(),
                "cooperatie_naam": settings.COOPERATIE["naam"],
                **(extra or {}),
            },
        )


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def download(table: Table, formaat: str, *, pdf_extra: dict | None = None) -> HttpResponse:
    if formaat == "csv":
        content = to_csv(table)
    elif formaat == "xlsx":
        content = to_xlsx(table)
    elif formaat == "pdf":
        content = to_pdf(table, extra=pdf_extra).pdf
    else:
        raise ValueError(f"onbekend formaat {formaat!r}")
    response = HttpResponse(content, content_type=CONTENT_TYPES[formaat])
    response["Content-Disposition"] = f'attachment; filename="{table.filename}.{formaat}"'
    return response
