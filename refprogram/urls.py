from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.oidc import SSOCallbackView, SSOStartView
from refprogram.health import health
from reporting.views import home


def favicon(request):
    """The project's icon, looked up when asked (the static manifest exists only after collectstatic)."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))


# Swagger UI styles itself inline: scripts stay files (the split view serves its set-up script as a
# file, not inline), all from drf-spectacular-sidecar. Redoc is not served: it loads images from
# its own CDN, which the policy refuses; its old address leads to the Swagger UI.
_docs_csp = csp_update({"style-src": [UNSAFE_INLINE], "worker-src": [SELF, "blob:"]})

urlpatterns = [
    # One log-in page for everything, the admin too: it asks for the second factor (accounts/views.py).
    path("admin/login/", RedirectView.as_view(pattern_name="login", query_string=True), name="admin-login"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", _docs_csp(SpectacularSwaggerSplitView.as_view(url_name="schema")), name="api-docs"),
    path("api/redoc/", RedirectView.as_view(pattern_name="api-docs", permanent=True), name="api-redoc"),
    path("health/", health, name="health"),
    # Browsers ask for /favicon.ico whatever the page says: answer with the project's icon.
    path("favicon.ico", favicon, name="favicon"),
    path("api/v1/", include("refprogram.api_urls")),
    # Slack's signed calls: the /reference command and its modal (integrations/slack).
    path("slack/", include("integrations.slack.urls")),
    # SCIM 2.0 provisioning for the identity provider (bearer token from ``manage.py scim_token``).
    path("scim/v2/", include("accounts.scim.urls")),
    # Each role's home; served by reporting, the layer that may list requests, approvals and
    # profiles together (the manager's work queue).
    path("", home, name="home"),
    # Single sign-on (accounts/oidc.py): off to the company's identity provider, and back.
    path("oidc/authenticate/", SSOStartView.as_view(), name="oidc_authentication_init"),
    path("oidc/callback/", SSOCallbackView.as_view(), name="oidc_authentication_callback"),
    path("", include("accounts.urls")),
    path("", include("references.urls")),
    path("", include("ledger.urls")),
    path("", include("approvals.urls")),
    path("", include("requests_app.urls")),
    path("", include("reporting.urls")),
    path("", include("integrations.urls")),
]
