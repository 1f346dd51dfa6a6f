from django.urls import path

from . import personal_export_views, views

app_name = "requests"

urlpatterns = [
    path("requests/new/", views.request_new, name="new"),
    path("requests/opportunities/search/", views.opportunity_search_view, name="opportunity-search"),
    path("requests/opportunities/pick/", views.opportunity_pick_view, name="opportunity-pick"),
    path("requests/mine/", views.request_mine, name="mine"),
    path("requests/queue/", views.request_queue, name="queue"),
    path("requests/queue/assign/", views.request_bulk_assign, name="bulk-assign"),
    path("requests/<int:pk>/", views.request_detail, name="detail"),
    path("requests/<int:pk>/edit/", views.request_edit, name="edit"),
    path("requests/<int:pk>/assign/", views.request_assign_me, name="assign"),
    path("requests/<int:pk>/propose/", views.candidate_propose_view, name="propose"),
    path("requests/<int:pk>/close/", views.request_close_view, name="close"),
    path("requests/<int:pk>/cancel/", views.request_cancel_view, name="cancel"),
    path("requests/<int:pk>/outcome/", views.request_outcome_view, name="outcome"),
    path("requests/<int:pk>/rate/", views.request_rate_view, name="rate"),
    path("candidates/<int:pk>/transition/", views.candidate_transition_view, name="candidate-transition"),
    path("candidates/<int:pk>/owner/", views.candidate_owner_view, name="candidate-owner"),
    path("candidates/<int:pk>/pick/", views.candidate_pick_view, name="candidate-pick"),
    path("answer/<str:token>/", views.candidate_link_page, name="link"),
    path("contacts/<int:pk>/export/", personal_export_views.contact_export_page, name="contact-export"),
]
