from rest_framework.routers import DefaultRouter

from . import usage, views

router = DefaultRouter()
views.register(router)
usage.register(router)
urlpatterns = router.urls
