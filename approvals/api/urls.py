"""API routes of public-use approvals and the content library (under /api/v1/).

A ``SimpleRouter``: the API's browsable index (``/api/v1/``) is served once, by the references
router.
"""

from rest_framework.routers import SimpleRouter

from .views import ApprovalViewSet, LibraryViewSet

router = SimpleRouter()
router.register("approvals", ApprovalViewSet, basename="approval")
router.register("library", LibraryViewSet, basename="library")
urlpatterns = router.urls
