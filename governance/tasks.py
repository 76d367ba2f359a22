"""Background work for governance. Tasks take ids and are safe to re-run:
each e-mail is recorded (Notice) before it is sent, and a recorded one is not
sent again."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from . import selectors, services
from .models import Document, Meeting, Notice, Poll


@shared_task
def send_obligation_reminders() -> list[str]:
    return services.obligation_reminders_send()


@shared_task
def close_expired_written_polls() -> list[int]:
    return services.written_polls_close_expired()


@shared_task
def sweep_orphan_files() -> int:
    return len(services.orphan_files_remove())


def _portal_url(name: str, pk: int) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse(name, args=[pk])


def _notify(sleutel: str, recipients: list[str], subject: str, body: str) -> int:
    """One message per recipient (nobody sees who else got it), each
    recorded in the same transaction as its sending: a failed send is not
    recorded, so the next run tries it again."""
    sent = 0
    for email in recipients:
        with transaction.atomic():
            _, created = Notice.objects.get_or_create(sleutel=sleutel, email=email)
            if not created:
                continue
            try:
                send_mail(subject=subject, message=body, from_email=settings.DEFAULT_FROM_EMAIL, recipient_list=[email])
            except Exception:
                transaction.set_rollback(True)
                raise
        sent += 1
    return sent


@shared_task(acks_late=True)
def notify_document_shared(document_id: int) -> int:
    """A link, never the file, so a forwarded e-mail does not leak a
    confidential document."""
    document = Document.objects.get(pk=document_id)
    body = render_to_string(
        "governance/email/document_shared.txt",
        {"document": document, "url": _portal_url("governance:document", document.pk)},
    )
    return _notify(
        f"document:{document.pk}", selectors.audience_emails(document), f"Nieuw document: {document.titel}", body
    )


@shared_task(acks_late=True)
def notify_convocation(meeting_id: int) -> int:
    """The convocation: date, place, agenda and links to its documents."""
    meeting = Meeting.objects.select_related("body").get(pk=meeting_id)
    body = render_to_string(
        "governance/email/convocation.txt",
        {
            "meeting": meeting,
            "items": meeting.items.prefetch_related("documenten"),
            "url": _portal_url("governance:meeting", meeting.pk),
        },
    )
    return _notify(
        f"oproep:{meeting.pk}",
        selectors.meeting_invitees(meeting),
        f"Oproep: {meeting.titel} op {meeting.datum:%d-%m-%Y}",
        body,
    )


@shared_task(acks_late=True)
def notify_written_poll(poll_id: int) -> int:
    """A decision outside a meeting goes to every entitled voter."""
    poll = Poll.objects.select_related("body").get(pk=poll_id)
    body = render_to_string(
        "governance/email/written_poll.txt", {"poll": poll, "url": _portal_url("governance:poll", poll.pk)}
    )
    return _notify(
        f"stemming:{poll.pk}", selectors.poll_voter_emails(poll), f"Besluit buiten vergadering: {poll.vraag}", body
    )
