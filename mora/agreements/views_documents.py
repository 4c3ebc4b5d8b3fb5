"""Placeholder until this module is written (work in progress, not wired to any menu)."""

from django.http import HttpResponse


def agreement_pdf(request, *args, **kwargs):
    return HttpResponse("En construcción", status=501)


def addendum_pdf(request, *args, **kwargs):
    return HttpResponse("En construcción", status=501)
