from django.urls import path

from .audit import AuditLogView
from .views import MetricsSummaryView

urlpatterns = [
    path("metrics/summary/", MetricsSummaryView.as_view(), name="metrics-summary"),
    path("audit/", AuditLogView.as_view(), name="audit-api"),
]
