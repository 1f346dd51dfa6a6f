from django.urls import path
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
views.register(router)
urlpatterns = [
    path(
        "candidates/<int:pk>/calendar.ics",
        views.CandidateCalendarView.as_view(),
        name="candidate-calendar",
    ),
    *router.urls,
]
