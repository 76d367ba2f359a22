"""Background work for invoicing. Tasks take ids and are safe to re-run."""

import logging

from celery import shared_task
from django.db.models import Q

from beware.common.audit import Actor

from . import services
from .models import Batch, Invoice

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def run_contribution_batch(batch_id: int) -> dict:
    batch = services.contribution_batch_run(Batch.objects.get(pk=batch_id))
    return {"batch": batch.pk, "status": batch.status}


@shared_task(acks_late=True)
def render_and_send(invoice_id: int) -> None:
    invoice = services.invoice_documents_render(Invoice.objects.get(pk=invoice_id))
    services.invoice_send(invoice)


@shared_task(acks_late=True)
def bill_business_case(business_case_id: int) -> list[int]:
    from businesscases.models import BusinessCase

    business_case = BusinessCase.objects.get(pk=business_case_id)
    return [invoice.pk for invoice in services.businesscase_bill(business_case, by=Actor.system())]


@shared_task(acks_late=True)
def bill_entry_fee(member_id: int) -> int | None:
    from membership.models import Member

    invoice = services.entry_fee_bill(Member.objects.get(pk=member_id), by=Actor.system())
    return invoice.pk if invoice else None


@shared_task
def send_reminders() -> int:
    return len(services.reminders_send())


@shared_task
def catch_up() -> int:
    """What a broker outage, a mail failure or missing member data left
    behind: bill what decided business cases stored, finalise the drafts the
    system made once the member's data is complete, and render and send what
    was not sent. Everything it calls is safe to re-run; one item failing is
    logged and does not stop the others."""
    from businesscases.models import BusinessCase

    system = Actor.system()
    for business_case in BusinessCase.objects.filter(status=BusinessCase.Status.BESLOTEN):
        _quietly(services.businesscase_bill, business_case, by=system)
    _quietly(services.system_drafts_finalise, by=system)
    # Invoices without an address to mail to are rendered, but wait for an
    # address before they are sent, so they cannot crowd out the others.
    unrendered = Invoice.objects.exclude(status=Invoice.Status.CONCEPT).filter(Q(pdf="") | Q(ubl=""))
    unsent = (
        Invoice.objects.exclude(status=Invoice.Status.CONCEPT)
        .filter(verzonden_op__isnull=True)
        .exclude(koper__email="")
    )
    pending_ids = list((unrendered | unsent).order_by("pk").values_list("pk", flat=True)[:500])
    for invoice_id in pending_ids:
        _quietly(render_and_send, invoice_id)
    return len(pending_ids)


def _quietly(call, *args, **kwargs):
    try:
        return call(*args, **kwargs)
    except Exception:
        logger.exception("Inhaaltaak: %s%s mislukt", getattr(call, "__name__", call), args)
        return None
