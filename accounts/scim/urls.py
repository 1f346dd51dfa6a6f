from django.urls import path

from . import views

urlpatterns = [
    path("Users", views.users, name="scim-users"),
    path("Users/<str:pk>", views.user_detail, name="scim-user"),
    path("Groups", views.groups, name="scim-groups"),
    path("Groups/<str:pk>", views.group_detail, name="scim-group"),
]
