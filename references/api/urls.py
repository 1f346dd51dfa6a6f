from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
views.register(router)
urlpatterns = router.urls
