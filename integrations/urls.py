from django.urls import path

from . import views

app_name = "integrations"

urlpatterns = [
    path("integrations/", views.integration_page, name="page"),
    path("integrations/<str:kind>/settings/", views.connection_edit, name="connection-edit"),
    path("integrations/<str:kind>/sync/", views.sync_now, name="sync-now"),
    path("integrations/<str:kind>/status/", views.sync_status, name="sync-status"),
]
