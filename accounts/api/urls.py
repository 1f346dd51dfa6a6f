from django.urls import path
from rest_framework.routers import SimpleRouter

from .teams import TeamViewSet
from .views import ObtainTokenView

router = SimpleRouter()
router.register("teams", TeamViewSet, basename="team")

urlpatterns = [path("auth/token/", ObtainTokenView.as_view(), name="api-token"), *router.urls]
