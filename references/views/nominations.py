"""Pages: nominations."""

urlpatterns: list = []
