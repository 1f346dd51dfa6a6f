from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .models import Notification
from .services import notification_mark_read


@login_required
def notification_list(request):
    notifications = Notification.objects.visible_to(request.user)[:100]
    return render(request, "accounts/notification_list.html", {"notifications": notifications})


@login_required
@require_POST
def notification_read(request):
    notification_mark_read(user=request.user)
    return redirect("notification-list")
