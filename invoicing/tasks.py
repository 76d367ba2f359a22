"""Background work for invoicing. Tasks take ids and are safe to re-run."""

from celery import shared_task

from beware.common.audit import Actor

from . import services
from .models import Batch, Invoice


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
    behind: bill what decided business cases stored and the entreegeld of
    active members, finalise the drafts the system made once the member's
    data is complete, and render and send what was not sent. Everything it
    calls is safe to re-run."""
    from businesscases.models import BusinessCase
    from membership import admission
    from membership.models import Member

    system = Actor.system()
    for business_case in BusinessCase.objects.filter(status=BusinessCase.Status.BESLOTEN):
        services.businesscase_bill(business_case, by=system)
    for member in Member.objects.filter(status=admission.ACTIEF, ingangsdatum__isnull=False):
        services.entry_fee_bill(member, by=system)
    services.system_drafts_finalise(by=system)
    # Invoices without an address to mail to wait for one, so they cannot crowd out the others.
    pending = (
        Invoice.objects.exclude(status=Invoice.Status.CONCEPT)
        .filter(verzonden_op__isnull=True)
        .exclude(koper__email="")
        .order_by("pk")
    )
    pending_ids = list(pending.values_list("pk", flat=True)[:500])
    for invoice_id in pending_ids:
        render_and_send(invoice_id)
    return len(pending_ids)
