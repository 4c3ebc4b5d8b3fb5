"""Placeholder until this module is written (work in progress, not wired to any menu)."""

from django.http import HttpResponse


def contractors(request, *args, **kwargs):
    return HttpResponse("En construcción", status=501)


def contractor_edit(request, *args, **kwargs):
    return HttpResponse("En construcción", status=501)
