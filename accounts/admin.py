from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from knox import admin as knox_admin  # noqa: F401  registers knox's token admin, replaced below
from knox.models import AuthToken

from .models import Notification, User
from .services import user_deactivate, user_set_password


class PasswordChangeForm(AdminPasswordChangeForm):
    """The admin's "change password" page, through ``user_set_password``: the password policy
    applies and the user's API tokens are revoked."""

    def save(self, commit=True):
        password = self.cleaned_data["password1"] if self.cleaned_data["set_usable_password"] else None
        user_set_password(user=self.user, password=password)
        return self.user


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "email", "first_name", "last_name", "role", "is_active")
    list_filter = ("role", "is_active")
    fieldsets = BaseUserAdmin.fieldsets + (("Role", {"fields": ("role",)}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + (("Role", {"fields": ("role", "email")}),)
    change_password_form = PasswordChangeForm

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            user_deactivate(user=obj)  # revokes the user's API tokens


# knox's own admin lists token digests and, when an operator adds a token there, shows the token
# in a message. Tokens are asked for through the API (POST /api/v1/auth/token/); here an operator
# only sees who holds tokens until when, and revokes them.
admin.site.unregister(AuthToken)


@admin.register(AuthToken)
class AuthTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "created", "expiry")
    list_filter = ("expiry",)
    search_fields = ("user__username",)
    fields = ("user", "created", "expiry")
    readonly_fields = fields
    ordering = ("-created",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("user", "subject", "created_at", "read_at")
    search_fields = ("subject", "user__username")
