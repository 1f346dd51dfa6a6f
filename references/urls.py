from .views import approvals, imports, inventory, nominations, overuse

urlpatterns = (
    inventory.urlpatterns
    + nominations.urlpatterns
    + imports.urlpatterns
    + overuse.urlpatterns
    + approvals.urlpatterns
)
