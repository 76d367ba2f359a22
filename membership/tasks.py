from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from beware.accounts.models import User

from .models import Member


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_invitation(user_id: int, member_id: int) -> None:
    """E-mail an invited user a link to choose a password. Safe to re-run: a
    new link replaces the old one's use, nothing is created."""
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str

    user = User.objects.get(pk=user_id)
    member = Member.objects.get(pk=member_id)
    path = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(user), "key": default_token_generator.make_token(user)},
    )
    context = {
        "user": user,
        "member": member,
        "url": settings.PORTAL_BASE_URL.rstrip("/") + path,
        "cooperatie": settings.COOPERATIE,
    }
    send_mail(
        subject=f"[Beware] Uitnodiging voor het ledenportaal namens {member.naam}",
        message=render_to_string("membership/email/invitation.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[user.email],
    )
