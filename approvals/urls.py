"""Pages of public-use approvals: the board, a customer's approvals, one approval, the content
library, and the customer's no-login consent page (paths and names as before the move)."""

from django.urls import path

from . import views

urlpatterns = [
    path("approvals/", views.approval_board, name="approval-board"),
    path("approvals/customer/<int:customer_id>/", views.approval_customer, name="approval-customer"),
    path("approvals/customer/<int:customer_id>/request/", views.approval_request, name="approval-request"),
    path("approvals/<int:pk>/", views.approval_detail, name="approval-detail"),
    path("approvals/<int:pk>/edit/", views.approval_edit, name="approval-edit"),
    path("approvals/<int:pk>/transition/", views.approval_transition, name="approval-transition"),
    path("approvals/<int:pk>/send-link/", views.approval_send_link, name="approval-send-link"),
    path("approvals/<int:pk>/upload/<str:kind>/", views.approval_upload, name="approval-upload"),
    path("approvals/<int:pk>/file/<str:kind>/", views.approval_file, name="approval-file"),
    path("library/", views.approval_library, name="approval-library"),
    path("consent/<str:token>/", views.consent_page, name="consent-page"),
]
