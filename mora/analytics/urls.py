from django.urls import path

from . import views

app_name = "analytics"

urlpatterns = [
    path("", views.factors_report, name="report"),
    path("factores.pdf", views.factors_report_pdf, name="report_pdf"),
    path("entrenar/", views.train, name="train"),
    path("entrenamiento/<int:pk>/", views.training_progress, name="training_progress"),
]
