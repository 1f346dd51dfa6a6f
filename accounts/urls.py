from django.contrib.auth import views as auth_views
from django.urls import path

from . import views
from .oidc import LoginView

urlpatterns = [
    path("login/", LoginView.as_view(), name="login"),  # passwords and single sign-on
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("notifications/", views.notification_list, name="notification-list"),
    path("notifications/read/", views.notification_read, name="notification-read"),
]
