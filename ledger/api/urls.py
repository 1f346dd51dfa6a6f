"""API routes of the usage ledger, the overuse policy and the activity types' weights (under /api/v1/).

A ``SimpleRouter``: the API's browsable index (``/api/v1/``) is served once, by the references
router.
"""

from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
views.register(router)
urlpatterns = router.urls + views.urlpatterns  # policy/: one resource, GET and PATCH
