from django.urls import path

from . import views

app_name = "billing"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("cuentas-en-mora/", views.arrears_list, name="arrears_list"),
    path("cuentas-en-mora/exportar/", views.arrears_export, name="arrears_export"),
]
# TEMP-LEAD: placeholders until the import pages land
urlpatterns += [path("tmp-imp/", views.dashboard, name="import_list"), path("tmp-imp2/", views.dashboard, name="import_upload")]
