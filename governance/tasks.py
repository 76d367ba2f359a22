"""Background work for governance. Tasks take ids and are safe to re-run."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from . import selectors, services
from .models import Document, ShareNotice


@shared_task
def send_obligation_reminders() -> list[str]:
    return services.obligation_reminders_send()


@shared_task(acks_late=True)
def notify_document_shared(document_id: int) -> int:
    """Tell the audience a document is there: a link, never the file, so a
    forwarded e-mail does not leak a confidential document. One message per
    recipient, recorded before it is sent: a re-run sends only what is left."""
    document = Document.objects.get(pk=document_id)
    body = render_to_string(
        "governance/email/document_shared.txt",
        {
            "document": document,
            "url": settings.PORTAL_BASE_URL.rstrip("/") + reverse("governance:document", args=[document.pk]),
        },
    )
    sent = 0
    for email in selectors.audience_emails(document):
        with transaction.atomic():
            _, created = ShareNotice.objects.get_or_create(document=document, email=email)
            if not created:
                continue
            try:
                send_mail(
                    subject=f"Nieuw document: {document.titel}",
                    message=body,
                    from_email=settings.DEFAULT_FROM_EMAIL,
                    recipient_list=[email],
                )
            except Exception:
                transaction.set_rollback(True)  # not recorded: the next run tries again
                raise
        sent += 1
    return sent


@shared_task
def sweep_orphan_files() -> int:
    return len(services.orphan_files_remove())
