"""Pages of the usage ledger: the ledger, the overuse policy, stale profiles."""

from .views import urlpatterns  # noqa: F401
