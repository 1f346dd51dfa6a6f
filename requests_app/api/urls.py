from django.urls import path
from rest_framework.routers import DefaultRouter

from .. import personal_export_views
from . import views

router = DefaultRouter()
views.register(router)
urlpatterns = [
    path(
        "candidates/<int:pk>/calendar.ics",
        views.CandidateCalendarView.as_view(),
        name="candidate-calendar",
    ),
    path(
        "contacts/<int:pk>/export/",
        personal_export_views.ContactExportView.as_view(),
        name="contact-export-json",
    ),
    *router.urls,
]
