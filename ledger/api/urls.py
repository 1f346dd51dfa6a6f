"""API routes of the usage ledger, the overuse policy and the activity types' weights (under /api/v1/).

A ``SimpleRouter``: the API's browsable index (``/api/v1/``) is served once, by the references
router.
"""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import holds, imports, views

router = SimpleRouter()
views.register(router)
holds.register(router)
# usage/import/ before the router's usage/{id}/, which would otherwise take "import" for an id.
urlpatterns = [
    path("usage/import/", imports.UsageImportView.as_view(), name="api-usage-import"),
    *router.urls,
    *views.urlpatterns,  # policy/: one resource, GET and PATCH
]
