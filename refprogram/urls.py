from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from refprogram.health import health

# The API docs pages style themselves inline and Redoc runs a web worker from a blob: scripts stay
# our own files (the split Swagger view serves its set-up script as a file, not inline).
_docs_csp = csp_update({"style-src": [UNSAFE_INLINE], "worker-src": [SELF, "blob:"]})

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", _docs_csp(SpectacularSwaggerSplitView.as_view(url_name="schema")), name="api-docs"),
    path("api/redoc/", _docs_csp(SpectacularRedocView.as_view(url_name="schema")), name="api-redoc"),
    path("health/", health, name="health"),
    path("api/v1/", include("refprogram.api_urls")),
    path("", include("accounts.urls")),
    path("", include("references.urls")),
    path("", include("requests_app.urls")),
    path("", include("reporting.urls")),
]
