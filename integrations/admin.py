from django.contrib import admin

from requests_app.models import Opportunity

from .models import CrmConnection, CrmSyncRun, CrmWriteBack, WebhookDelivery, WebhookSubscription


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["url", "events", "is_active", "created_at"]
    exclude = ["secret"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["event", "subscription", "status", "attempts", "response_code", "created_at"]
    list_filter = ["status", "event"]


@admin.register(Opportunity)
class OpportunityAdmin(admin.ModelAdmin):
    list_display = ["name", "crm", "crm_id", "stage", "is_closed", "is_won", "modified_at"]
    search_fields = ["name", "crm_id", "account_name"]


@admin.register(CrmConnection)
class CrmConnectionAdmin(admin.ModelAdmin):
    list_display = ["kind", "enabled", "base_url", "last_run_at", "last_success_at"]
    readonly_fields = ["cursor", "last_run_at", "last_success_at"]


@admin.register(CrmSyncRun)
class CrmSyncRunAdmin(admin.ModelAdmin):
    list_display = ["connection", "status", "full", "created", "updated", "deleted", "failed", "created_at"]
    list_filter = ["connection", "status"]
    readonly_fields = [f.name for f in CrmSyncRun._meta.fields]


@admin.register(CrmWriteBack)
class CrmWriteBackAdmin(admin.ModelAdmin):
    list_display = ["subject", "crm", "opportunity_crm_id", "status", "attempts", "created_at"]
    list_filter = ["crm", "status"]
