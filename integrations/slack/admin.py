"""Slack in Django admin: the routes (which channel hears about which region) are managed here,
by the people who manage integrations (managers and administrators); notices are read-only."""

from django.contrib import admin

from accounts import permissions as perms

from .models import SlackNotice, SlackRoute, SlackUser


class _IntegrationsAdmin(admin.ModelAdmin):
    """Open to the ``manage_integrations`` capability (Django's model permissions are not used)."""

    def _allowed(self, request) -> bool:
        return (
            request.user.is_active
            and request.user.is_staff
            and perms.has_capability(request.user, perms.MANAGE_INTEGRATIONS)
        )

    def has_module_permission(self, request) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._allowed(request)


@admin.register(SlackRoute)
class SlackRouteAdmin(_IntegrationsAdmin):
    list_display = ["region", "channel_id", "new_requests", "due_soon", "short_supply", "is_active"]
    list_filter = ["is_active", "region"]


@admin.register(SlackUser)
class SlackUserAdmin(_IntegrationsAdmin):
    list_display = ["user", "slack_id", "looked_up_at"]
    search_fields = ["slack_id", "user__username", "user__email"]

    def has_add_permission(self, request) -> bool:
        return False  # found by e-mail, not typed


@admin.register(SlackNotice)
class SlackNoticeAdmin(_IntegrationsAdmin):
    list_display = ["kind", "request", "channel_id", "recipient", "status", "attempts", "created_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["request", "recipient"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
