from .views import consents, imports, inventory, nominations

urlpatterns = inventory.urlpatterns + nominations.urlpatterns + imports.urlpatterns + consents.urlpatterns
