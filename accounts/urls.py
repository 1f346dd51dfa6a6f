from django.contrib.auth import views as auth_views
from django.urls import path

from . import team_views, term_views, views

urlpatterns = [
    # Passwords (with the second factor) and single sign-on.
    path("login/", views.PasswordLoginView.as_view(), name="login"),
    path("login/code/", views.second_factor_login, name="login-second-factor"),
    path("login/set-up/", views.second_factor_login_setup, name="login-second-factor-setup"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("notifications/", views.notification_list, name="notification-list"),
    path("notifications/read/", views.notification_read, name="notification-read"),
    # Teams: who owns which regions, industries and products (administrators set them up).
    path("teams/", team_views.team_list, name="team-list"),
    path("teams/<int:pk>/", team_views.team_edit, name="team-edit"),
    path("teams/<int:pk>/delete/", team_views.team_delete_view, name="team-delete"),
    # The program's words for its main nouns (administrators rename them).
    path("settings/terms/", term_views.terms_edit, name="terms"),
    path("account/preferences/", views.preferences, name="preferences"),
    path("account/second-factor/", views.second_factor_settings, name="second-factor"),
    path("account/second-factor/set-up/", views.second_factor_setup, name="second-factor-setup"),
    path("account/second-factor/remove/", views.second_factor_remove, name="second-factor-remove"),
]
