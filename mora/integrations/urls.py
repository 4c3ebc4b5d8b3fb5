from django.urls import path

from . import views

app_name = "integrations"
urlpatterns = [
    path("", views.clients, name="clients"),
    path("<int:pk>/renovar/", views.client_rotate, name="client_rotate"),
    path("<int:pk>/revocar/", views.client_revoke, name="client_revoke"),
]
