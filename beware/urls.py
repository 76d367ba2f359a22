from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from beware.accounts import views as account_views
from beware.common.views import healthz

admin.site.site_header = "Beware ledenportaal – beheer"
# The admin has no login of its own: the portal's (password, TOTP code, rate limits).
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", account_views.home, name="home"),
    path("wissel-lid/", account_views.switch_member, name="switch_member"),
    # Identity is the invited e-mail address: users do not add or change addresses.
    path("accounts/email/", account_views.not_available, name="account_email"),
    path("accounts/", include("beware.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include("api.urls")),
    path("beheer/", admin.site.urls),
    path("", include("membership.urls")),
    path("", include("communities.urls")),
    path("", include("businesscases.urls")),
    path("facturen/", include("invoicing.urls")),
    path("governance/", include("governance.urls")),
]
