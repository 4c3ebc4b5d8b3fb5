from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from mora.integrations.api import api

urlpatterns = [
    path("", include("mora.core.urls")),
    path("cartera/", include("mora.billing.urls")),
    path("cuentas/", include("mora.customers.urls")),
    path("convenios/", include("mora.agreements.urls")),
    path("campo/", include("mora.field_orders.urls")),
    path("analitica/", include("mora.analytics.urls")),
    path("api/v1/", api.urls),
    path("integraciones/", include("mora.integrations.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
