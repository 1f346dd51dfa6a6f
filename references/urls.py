from .views import imports, inventory, nominations, overuse

urlpatterns = inventory.urlpatterns + nominations.urlpatterns + imports.urlpatterns + overuse.urlpatterns
