from django.urls import path
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
views.register(router)
urlpatterns = [
    path("integrations/opportunities/", views.OpportunityUpsertView.as_view(), name="opportunity-upsert"),
    *router.urls,
]
