"""Background work for governance. Tasks take ids and are safe to re-run."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from . import selectors, services
from .models import Document


@shared_task
def send_obligation_reminders() -> list[str]:
    return services.obligation_reminders_send()


@shared_task(acks_late=True)
def notify_document_shared(document_id: int) -> int:
    """Tell the audience a document is there: a link, never the file, so a
    forwarded e-mail does not leak a confidential document."""
    document = Document.objects.get(pk=document_id)
    recipients = selectors.audience_emails(document)
    if not recipients:
        return 0
    body = render_to_string(
        "governance/email/document_shared.txt",
        {
            "document": document,
            "url": settings.PORTAL_BASE_URL.rstrip("/") + reverse("governance:document", args=[document.pk]),
        },
    )
    # One message per recipient: nobody sees who else received it.
    for email in recipients:
        send_mail(
            subject=f"Nieuw document: {document.titel}",
            message=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[email],
        )
    return len(recipients)
