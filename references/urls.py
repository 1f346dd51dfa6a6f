from .views import consents, custom_fields, imports, inventory, nominations, personal_data

urlpatterns = inventory.urlpatterns + nominations.urlpatterns + imports.urlpatterns + consents.urlpatterns
urlpatterns += personal_data.urlpatterns  # retention review and the Art. 14 notice
urlpatterns += custom_fields.urlpatterns  # the program's own fields
