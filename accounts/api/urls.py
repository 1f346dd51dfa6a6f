from django.urls import path
from rest_framework.routers import SimpleRouter

from .teams import TeamViewSet
from .terms import TermsView
from .views import ObtainTokenView

router = SimpleRouter()
router.register("teams", TeamViewSet, basename="team")

urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("terms/", TermsView.as_view(), name="api-terms"),
    *router.urls,
]
