from django.urls import path

from . import views
from .urls_import import import_urlpatterns

app_name = "billing"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("cuentas-en-mora/", views.arrears_list, name="arrears_list"),
    path("cuentas-en-mora/exportar/", views.arrears_export, name="arrears_export"),
    *import_urlpatterns,
]
