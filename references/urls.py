from .views import consents, imports, inventory, nominations, personal_data

urlpatterns = inventory.urlpatterns + nominations.urlpatterns + imports.urlpatterns + consents.urlpatterns
urlpatterns += personal_data.urlpatterns  # retention review and the Art. 14 notice
