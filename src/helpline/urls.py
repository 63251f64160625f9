import importlib.util

from django.contrib import admin
from django.urls import include, path

from helpline.api import api

urlpatterns = [
    path("api/", api.urls),
    path("accounts/", include("helpline.accounts.urls")),
    path("portal/", include("helpline.portal.urls")),
    path("help/", include("helpline.knowledge.help_urls")),
    path("kb/", include("helpline.knowledge.editor_urls")),
    path("chat/", include("helpline.chat.urls")),
    path("messaging/", include("helpline.messaging.urls")),
    path("survey/", include("helpline.surveys.urls")),
    path("reports/", include("helpline.reports.urls")),
    path("workflow/", include("helpline.workflow.urls")),
    path("mail/", include("helpline.mail.urls")),
    path("admin/", include("helpline.accounts.admin_urls")),
    path("django-admin/", admin.site.urls),
    path("", include("helpline.web.urls")),
]

if importlib.util.find_spec("anymail") is not None:  # delivery-status webhooks of email providers
    urlpatterns.insert(0, path("anymail/", include("anymail.urls")))
