from django.urls import path

from . import views_import, views_payments

import_urlpatterns = [
    path("importaciones/", views_import.import_list, name="import_list"),
    path("importaciones/nueva/", views_import.import_upload, name="import_upload"),
    path("importaciones/<int:pk>/", views_import.import_detail, name="import_detail"),
    path("importaciones/<int:pk>/progreso/", views_import.import_progress, name="import_progress"),
    path("importaciones/<int:pk>/errores.xlsx", views_import.import_errors_xlsx, name="import_errors_xlsx"),
    path("pagos/nuevo/", views_payments.payment_new, name="payment_new"),
]
