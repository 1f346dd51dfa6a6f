from django.urls import path

from . import views

app_name = "slack"

urlpatterns = [
    path("commands/", views.slack_command, name="commands"),
    path("interactions/", views.slack_interaction, name="interactions"),
]
