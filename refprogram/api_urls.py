"""Every API route under /api/v1/, gathered from the apps."""

from django.urls import include, path

urlpatterns = [
    path("", include("accounts.api.urls")),
    path("", include("references.api.urls")),
    path("", include("ledger.api.urls")),
    path("", include("approvals.api.urls")),
    path("", include("requests_app.api.urls")),
    path("", include("integrations.api.urls")),
    path("", include("reporting.api.urls")),
]
