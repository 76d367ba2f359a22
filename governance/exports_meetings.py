"""The record of a meeting, for its minutes: the attendance list, the proxy
register, every poll with its frozen electorate, result, rule and checksum,
and the written decisions taken since the body's previous meeting with their
non-responders. Read once into dataclasses, written to PDF and to CSV (as
Dutch Excel reads it: `;`, decimal comma, UTF-8 with BOM)."""

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from beware.common.pdf import RenderedDocument, render_pdf
from invoicing.exports import FORMULA_START

from .models import Attendance, Ballot, BallotReceipt, Meeting, Poll, PollVoter, Proxy

PDF_TEMPLATE = "governance/meetings_pdf/minutes.html"


@dataclass
class PollRecord:
    poll: Poll
    voters: list[PollVoter] = field(default_factory=list)
    voted: set[int] = field(default_factory=set)  # voter ids that voted
    choices: dict[int, str] = field(default_factory=dict)  # open polls, once closed: voter id → keuze

    @property
    def size(self) -> int:
        return len(self.voters)

    @property
    def present(self) -> int:
        return sum(1 for v in self.voters if v.aanwezig)

    @property
    def figures(self) -> dict[str, str]:
        """The stored outcome as text: 2, or 2,5."""
        names = ("voor", "tegen", "onthouding", "uitgebracht", "aanwezig", "stemgerechtigd")
        return {name: weight(getattr(self.poll, name)) for name in names}

    @property
    def non_responders(self) -> list[PollVoter]:
        return [v for v in self.voters if v.pk not in self.voted]


@dataclass(frozen=True)
class MeetingRecord:
    meeting: Meeting
    attendance: list[Attendance]
    proxies: list[Proxy]
    items: list  # (agenda item with its minutes and decision, who declared a conflict of interest on it)
    polls: list[PollRecord]
    written: list[PollRecord]
    since: object  # the date of the body's previous meeting, or None
    made_at: object


def proxy_scope(proxy: Proxy) -> str:
    items = sorted(proxy.agendapunten.all(), key=lambda i: i.volgorde)
    if not items:
        return "Hele vergadering"
    return "Agendapunt " + ", ".join(str(i.volgorde) for i in items)


def _poll_records(polls: list[Poll]) -> list[PollRecord]:
    """The polls with their electorates and who voted: four queries whatever their number."""
    records = {p.pk: PollRecord(poll=p) for p in polls}
    if not records:
        return []
    for voter in (
        PollVoter.objects.filter(poll__in=records)
        .select_related("member", "person", "gevolmachtigde")
        .order_by("poll_id", "member__naam", "person__naam", "id")
    ):
        records[voter.poll_id].voters.append(voter)
    for poll_id, voter_id, keuze in Ballot.objects.filter(poll__in=records).values_list("poll_id", "voter_id", "keuze"):
        records[poll_id].voted.add(voter_id)
        if records[poll_id].poll.status == Poll.Status.GESLOTEN:
            records[poll_id].choices[voter_id] = keuze
    for poll_id, voter_id in BallotReceipt.objects.filter(poll__in=records).values_list("poll_id", "voter_id"):
        records[poll_id].voted.add(voter_id)
    return list(records.values())


def previous_meeting_date(meeting: Meeting):
    return (
        Meeting.objects.filter(body_id=meeting.body_id, datum__lt=meeting.datum)
        .order_by("-datum")
        .values_list("datum", flat=True)
        .first()
    )


def written_decisions(meeting: Meeting, since=None) -> list[Poll]:
    """The body's decisions in writing closed since its previous meeting and
    up to this one: they are recorded in this meeting's minutes."""
    found = Poll.objects.filter(
        body_id=meeting.body_id,
        agenda_item__isnull=True,
        status=Poll.Status.GESLOTEN,
        gesloten_op__date__lte=meeting.datum,
    )
    if since is not None:
        found = found.filter(gesloten_op__date__gt=since)
    return list(found.select_related("body", "voorzitter").order_by("gesloten_op", "id"))


def meeting_record(meeting: Meeting) -> MeetingRecord:
    attendance = list(
        meeting.attendance.select_related("member", "person", "ingecheckt_door").order_by("ingecheckt_op", "id")
    )
    proxies = list(
        meeting.proxies.select_related(
            "verlener", "gevolmachtigde", "ondertekend_door", "aangevraagd_door", "beoordeeld_door"
        ).prefetch_related("agendapunten")
    )
    polls = list(
        Poll.objects.filter(agenda_item__meeting=meeting)
        .select_related("agenda_item", "voorzitter")
        .order_by("agenda_item__volgorde", "id")
    )
    since = previous_meeting_date(meeting)
    records = _poll_records([*polls, *written_decisions(meeting, since)])
    by_id = {r.poll.pk: r for r in records}
    conflicts = {}
    for conflict in meeting.conflicts.exclude(agenda_item=None).select_related("member", "person"):
        conflicts.setdefault(conflict.agenda_item_id, []).append(str(conflict.holder))
    return MeetingRecord(
        meeting=meeting,
        items=[(item, conflicts.get(item.pk, [])) for item in meeting.items.order_by("volgorde")],
        attendance=attendance,
        proxies=proxies,
        polls=[by_id[p.pk] for p in polls],
        written=[r for r in records if r.poll.agenda_item_id is None],
        since=since,
        made_at=timezone.localtime(),
    )


def weight(value) -> str:
    """A weight or a count of weights as people read it: 2, or 2,5."""
    if value is None:
        return "–"
    value = Decimal(value)
    text = format(value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize(), "f")
    return text.replace(".", ",")


def result_counts(poll: Poll) -> list[tuple[str, str]]:
    """The stored outcome's figures, labelled, in the order the result page and the minutes show them."""
    return [
        (_("Voor"), weight(poll.voor)),
        (_("Tegen"), weight(poll.tegen)),
        (_("Onthouding"), weight(poll.onthouding)),
        (_("Uitgebracht (voor en tegen)"), weight(poll.uitgebracht)),
        (_("Aanwezig of vertegenwoordigd"), weight(poll.aanwezig)),
        (_("Stemgerechtigd"), weight(poll.stemgerechtigd)),
    ] + (
        # A tie in the directie: the chair's vote, fixed when the poll opened, decided it.
        [(_("Bij staking van stemmen"), _("beslist door de voorzitter, %(wie)s") % {"wie": poll.voorzitter})]
        if poll.beslist_door_voorzitter
        else []
    )


def _user(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.email


# --- PDF ---------------------------------------------------------------------------


def minutes_pdf(meeting: Meeting) -> RenderedDocument:
    """The minutes' annex: always Dutch, whatever the reader's language."""
    record = meeting_record(meeting)
    with translation.override("nl"):
        return render_pdf(
            PDF_TEMPLATE,
            {
                "record": record,
                "meeting": meeting,
                "cooperatie_naam": settings.COOPERATIE["naam"],
                "proxies": [(p, proxy_scope(p)) for p in record.proxies],
            },
        )


# --- CSV ---------------------------------------------------------------------------


def _value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, Decimal):
        return weight(value)
    if hasattr(value, "tzinfo") and hasattr(value, "hour"):
        return timezone.localtime(value).strftime("%d-%m-%Y %H:%M")
    if hasattr(value, "strftime"):
        return value.strftime("%d-%m-%Y")
    text = str(value)
    # A name like "=HYPERLINK(...)" must stay text in a spreadsheet.
    return f"'{text}" if text.startswith(FORMULA_START) else text


def _poll_rows(records: list[PollRecord]) -> list[list]:
    return [
        [
            r.poll.pk,
            r.poll.agenda_item.volgorde if r.poll.agenda_item_id else "",
            r.poll.vraag,
            r.poll.get_regel_display(),
            r.poll.quorum,
            r.poll.geheim,
            r.poll.get_status_display(),
            r.poll.deadline,
            r.poll.geopend_op,
            r.poll.gesloten_op,
            r.size,
            r.present,
            len(r.voted),
            r.poll.uitslag,
            r.poll.voor,
            r.poll.tegen,
            r.poll.onthouding,
            r.poll.uitgebracht,
            r.poll.aanwezig,
            r.poll.stemgerechtigd,
            str(r.poll.voorzitter) if r.poll.beslist_door_voorzitter else "",
            r.poll.controlegetal,
        ]
        for r in records
    ]


POLL_HEADER = [
    "Stemming",
    "Agendapunt",
    "Voorstel",
    "Besluitregel",
    "Quorum",
    "Geheim",
    "Status",
    "Stemmen tot",
    "Geopend op",
    "Gesloten op",
    "Stemgerechtigden",
    "Aanwezig of vertegenwoordigd",
    "Gestemd",
    "Uitslag",
    "Voor",
    "Tegen",
    "Onthouding",
    "Uitgebracht",
    "Aanwezig (gewicht)",
    "Stemgerechtigd (gewicht)",
    "Bij staking beslist door de voorzitter",
    "Controlegetal (SHA-256)",
]


def minutes_csv(meeting: Meeting) -> bytes:
    """One file, a section per part: a title row, a header row, the rows and
    an empty row between the parts."""
    record = meeting_record(meeting)
    sections = [
        (
            "Presentielijst",
            ["Lid of persoon", "Ingecheckt op", "Ingecheckt door", "Zelf ingecheckt"],
            [[a.member or a.person, a.ingecheckt_op, _user(a.ingecheckt_door), a.zelf] for a in record.attendance],
        ),
        (
            "Volmachten",
            [
                "Volmachtgever",
                "Gevolmachtigde",
                "Omvang",
                "Status",
                "Ondertekend",
                "Aangevraagd op",
                "Beoordeeld door",
                "Beoordeeld op",
            ],
            [
                [
                    p.verlener,
                    p.gevolmachtigde,
                    proxy_scope(p),
                    p.get_status_display(),
                    f"in het portaal door {_user(p.ondertekend_door)}" if p.ondertekend_door_id else "geüploade PDF",
                    p.aangevraagd_op,
                    _user(p.beoordeeld_door),
                    p.beoordeeld_op,
                ]
                for p in record.proxies
            ],
        ),
        ("Stemmingen", POLL_HEADER, _poll_rows(record.polls)),
        ("Besluiten buiten vergadering", POLL_HEADER, _poll_rows(record.written)),
    ]
    # The frozen electorate of each poll; what each voted only for an open
    # (named) poll once it is closed.
    sections.append(
        (
            "Stemgerechtigden per stemming",
            ["Stemming", "Stemgerechtigde", "Gewicht", "Aanwezig of vertegenwoordigd", "Stemt via", "Gestemd", "Stem"],
            [
                [r.poll.pk, v, v.gewicht, v.aanwezig, v.gevolmachtigde or "", v.pk in r.voted, r.choices.get(v.pk, "")]
                for r in [*record.polls, *record.written]
                for v in r.voters
            ],
        )
    )
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([f"{meeting.titel} ({meeting.body.naam}, {meeting.datum:%d-%m-%Y})"])
    for title, header, rows in sections:
        writer.writerow([])
        writer.writerow([title])
        writer.writerow(header)
        for row in rows:
            writer.writerow([_value(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
