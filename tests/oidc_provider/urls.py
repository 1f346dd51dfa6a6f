import json

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.models import Group, User
from django.http import HttpResponseForbidden, JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider.models import get_application_model


@csrf_exempt
def test_setup(request):
    """Upsert the product's client and users with their groups (POST JSON, shared secret)."""
    if request.headers.get("X-Setup-Secret") != settings.TEST_SETUP_SECRET:
        return HttpResponseForbidden()
    data = json.loads(request.body)
    if "client" in data:
        c = data["client"]
        Application = get_application_model()
        Application.objects.filter(client_id=c["client_id"]).delete()
        Application.objects.create(
            name="RefProgram",
            client_id=c["client_id"],
            client_secret=c["client_secret"],
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris=" ".join(c["redirect_uris"]),
            algorithm=Application.RS256_ALGORITHM,
            skip_authorization=True,
        )
    for u in data.get("users", []):
        user, _ = User.objects.get_or_create(username=u["username"])
        user.email = u.get("email", "")
        user.first_name = u.get("first_name", "")
        user.last_name = u.get("last_name", "")
        if "password" in u:
            user.set_password(u["password"])
        user.save()
        user.groups.set([Group.objects.get_or_create(name=name)[0] for name in u.get("groups", [])])
    return JsonResponse({"ok": True})


urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("test-setup/", test_setup),
]
