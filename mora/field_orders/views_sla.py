"""Placeholder until this module is written (work in progress, not wired to any menu)."""

from django.http import HttpResponse


def sla_board(request, *args, **kwargs):
    return HttpResponse("En construcción", status=501)


def sla_export(request, *args, **kwargs):
    return HttpResponse("En construcción", status=501)
