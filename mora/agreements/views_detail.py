"""Placeholder until this module is written (work in progress, not wired to any menu)."""

from django.http import HttpResponse


def agreement_list(request, *args, **kwargs):
    return HttpResponse("En construcción", status=501)


def agreement_list_export(request, *args, **kwargs):
    return HttpResponse("En construcción", status=501)


def approvals(request, *args, **kwargs):
    return HttpResponse("En construcción", status=501)


def agreement_detail(request, *args, **kwargs):
    return HttpResponse("En construcción", status=501)


def signature_scan(request, *args, **kwargs):
    return HttpResponse("En construcción", status=501)


def approve(request, *args, **kwargs):
    return HttpResponse("En construcción", status=501)


def reject(request, *args, **kwargs):
    return HttpResponse("En construcción", status=501)


def sign(request, *args, **kwargs):
    return HttpResponse("En construcción", status=501)


def cancel(request, *args, **kwargs):
    return HttpResponse("En construcción", status=501)


def reschedule(request, *args, **kwargs):
    return HttpResponse("En construcción", status=501)


def reschedule_decide(request, *args, **kwargs):
    return HttpResponse("En construcción", status=501)


def reschedule_sign(request, *args, **kwargs):
    return HttpResponse("En construcción", status=501)
