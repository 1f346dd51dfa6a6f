from .views import imports, inventory, nominations

urlpatterns = inventory.urlpatterns + nominations.urlpatterns + imports.urlpatterns
