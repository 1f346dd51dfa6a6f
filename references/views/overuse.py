"""Pages: overuse."""

urlpatterns: list = []
