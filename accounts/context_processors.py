from .permissions import capabilities_of
from .terms import words


def navigation(request):
    """What the base layout needs to show each role its own navigation."""
    user = getattr(request, "user", None)
    caps = capabilities_of(user) if user is not None else frozenset()
    unread = 0
    if user is not None and user.is_authenticated:
        unread = user.notifications.filter(read_at__isnull=True).count()
    return {"caps": caps, "unread_notifications": unread}


class _Words:
    """The program's words in the active language, read on first use (one cache read, no query
    once the cache holds them): ``terms.reference``, ``terms.references``, ``terms.customer``…"""

    def __init__(self):
        self._words = None

    def __getitem__(self, key: str) -> str:
        if self._words is None:
            self._words = words()
        return self._words[key]


def terms(request):
    """The program's words for its main nouns (``accounts.terms``) for the page's labels."""
    return {"terms": _Words()}
