"""HTML pages of the reference inventory, one module per topic; each module lists its urlpatterns."""
