"""Placeholder until this module is written (work in progress, not wired to any menu)."""

from django.http import HttpResponse


def cycle(request, *args, **kwargs):
    return HttpResponse("En construcción", status=501)


def cycle_progress(request, *args, **kwargs):
    return HttpResponse("En construcción", status=501)


def cut_lists(request, *args, **kwargs):
    return HttpResponse("En construcción", status=501)


def cut_list_detail(request, *args, **kwargs):
    return HttpResponse("En construcción", status=501)


def cut_list_release(request, *args, **kwargs):
    return HttpResponse("En construcción", status=501)


def cut_line_remove(request, *args, **kwargs):
    return HttpResponse("En construcción", status=501)


def cut_list_pdf(request, *args, **kwargs):
    return HttpResponse("En construcción", status=501)


def cut_list_xlsx(request, *args, **kwargs):
    return HttpResponse("En construcción", status=501)


def cut_notices_pdf(request, *args, **kwargs):
    return HttpResponse("En construcción", status=501)


def policy(request, *args, **kwargs):
    return HttpResponse("En construcción", status=501)
