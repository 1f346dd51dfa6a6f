from rest_framework.routers import DefaultRouter

from . import approvals, usage, views

router = DefaultRouter()
views.register(router)
usage.register(router)
approvals.register(router)
urlpatterns = router.urls + usage.urlpatterns  # policy/: one resource, GET and PATCH
