from django.urls import path

from .views import MetricsSummaryView

urlpatterns = [
    path("metrics/summary/", MetricsSummaryView.as_view(), name="metrics-summary"),
]
