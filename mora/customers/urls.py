from django.urls import path

from . import views

app_name = "customers"
urlpatterns = [
    path("", views.search, name="search"),
    path("<str:number>/", views.account_detail, name="account_detail"),
    path("<str:number>/retenciones/", views.hold_create, name="hold_create"),
    path("<str:number>/retenciones/<int:hold_id>/levantar/", views.hold_release, name="hold_release"),
    path("<str:number>/reclamos/", views.complaint_register, name="complaint_register"),
    path("<str:number>/reclamos/<int:complaint_id>/resolver/", views.complaint_resolve, name="complaint_resolve"),
]
