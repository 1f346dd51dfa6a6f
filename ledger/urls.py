"""Pages of the usage ledger: the ledger, the overuse policy, stale profiles."""

from .views import urlpatterns as _pages
from .views_import import urlpatterns as _import

urlpatterns = _pages + _import
