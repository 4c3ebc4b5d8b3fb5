"""Placeholder until this module is written (work in progress, not wired to any menu)."""

from django.http import HttpResponse


def billing_export(request, *args, **kwargs):
    return HttpResponse("En construcción", status=501)
