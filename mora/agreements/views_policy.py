"""Placeholder until this module is written (work in progress, not wired to any menu)."""

from django.http import HttpResponse


def policy_list(request, *args, **kwargs):
    return HttpResponse("En construcción", status=501)


def policy_edit(request, *args, **kwargs):
    return HttpResponse("En construcción", status=501)
