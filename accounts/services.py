"""Use cases about users and their notifications."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction

from .choices import Role
from .models import Notification, User


def user_create(
    *, username: str, role: str, password: str, email: str = "", first_name: str = "", last_name: str = ""
) -> User:
    """Create a user with one role; admins also get Django admin access."""
    if role not in Role.values:
        raise ValueError(f"Unknown role {role!r}; valid roles: {', '.join(Role.values)}")
    user = User(username=username, role=role, email=email, first_name=first_name, last_name=last_name)
    user.is_staff = role in (Role.ADMIN, Role.MANAGER)
    user.is_superuser = role == Role.ADMIN
    user.set_password(password)
    user.full_clean()
    user.save()
    return user


def notification_send(*, user: User, key: str, subject: str, body: str = "", link: str = "") -> bool:
    """Notify a user once per ``key``: an in-app notification and an email after commit.

    Returns False (and sends nothing) when the user was already notified with this key.
    """
    try:
        with transaction.atomic():
            Notification.objects.create(user=user, key=key, subject=subject, body=body, link=link)
    except IntegrityError:
        return False
    if user.email:
        transaction.on_commit(
            lambda: send_mail(
                subject,
                body + (f"\n\n{link}" if link else ""),
                settings.DEFAULT_FROM_EMAIL,
                [user.email],
                fail_silently=True,
            )
        )
    return True


def notification_mark_read(*, user: User, notification_ids: list[int] | None = None) -> int:
    from django.utils import timezone

    qs = Notification.objects.visible_to(user).unread()
    if notification_ids is not None:
        qs = qs.filter(id__in=notification_ids)
    return qs.update(read_at=timezone.now())
