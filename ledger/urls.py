"""Pages of the usage ledger: the ledger, the overuse policy, stale profiles, holds, a customer's asks."""

from .views import urlpatterns as _pages
from .views_holds import urlpatterns as _holds
from .views_import import urlpatterns as _import

urlpatterns = _pages + _import + _holds
