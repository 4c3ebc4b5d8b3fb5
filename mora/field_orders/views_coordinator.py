"""Placeholder until this module is written (work in progress, not wired to any menu)."""

from django.http import HttpResponse


def orders(request, *args, **kwargs):
    return HttpResponse("En construcción", status=501)


def order_detail(request, *args, **kwargs):
    return HttpResponse("En construcción", status=501)


def order_cancel(request, *args, **kwargs):
    return HttpResponse("En construcción", status=501)


def order_result(request, *args, **kwargs):
    return HttpResponse("En construcción", status=501)


def my_orders(request, *args, **kwargs):
    return HttpResponse("En construcción", status=501)


def my_orders_partial(request, *args, **kwargs):
    return HttpResponse("En construcción", status=501)
