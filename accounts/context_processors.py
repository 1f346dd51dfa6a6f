from .permissions import capabilities_of


def navigation(request):
    """What the base layout needs to show each role its own navigation."""
    user = getattr(request, "user", None)
    caps = capabilities_of(user) if user is not None else frozenset()
    unread = 0
    if user is not None and user.is_authenticated:
        unread = user.notifications.filter(read_at__isnull=True).count()
    return {"caps": caps, "unread_notifications": unread}
