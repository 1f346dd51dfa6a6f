from django.urls import path

from . import audit_views, views

app_name = "reporting"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/export/<slug:table>.csv", views.export_csv, name="export"),
    path("dashboard/export.xlsx", views.export_workbook, name="export-all"),
    path("dashboard/targets/", views.targets, name="targets"),
    path("dashboard/targets/<int:pk>/delete/", views.target_delete, name="target-delete"),
    path("dashboard/operations/", views.operations, name="operations"),
    path("candidates/<int:pk>/chase/", views.candidate_chase, name="chase"),
    path("audit/", audit_views.audit_log, name="audit"),
    path("audit/export.csv", audit_views.audit_export, name="audit-export"),
]
