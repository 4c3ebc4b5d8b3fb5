"""Orders pages: the coordinator's phone screen (polled by HTMX), the orders list and detail,
and the two writes on an order (result, cancellation)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from mora.core.access import role_required
from mora.core.roles import COORDINATORS, FIELD_READERS, FIELD_SUPERVISORS, has_role
from mora.core.spreadsheets import xlsx_response

from . import selectors, selectors_sla, services
from .forms_orders import OrderCancelForm, OrderResultForm, OrdersFilterForm
from .models import Coordinator, NotExecutedReason, OrderKind, OrderStatus

PAGE_SIZE = 50


def _coordinator_of(user) -> Coordinator | None:
    return Coordinator.objects.select_related("contractor").filter(user=user).first()


# ---------------------------------------------------------------------------------------------
# Coordinator (phone)
# ---------------------------------------------------------------------------------------------


def _my_day(request, coordinator: Coordinator) -> dict:
    """Reconnections first (the customer has paid and waits), by due time; then the cuts in
    route order; then what was cancelled, so the crew does not go."""
    today = timezone.localdate()
    now = timezone.now()
    orders = list(selectors.contractor_orders(contractor=coordinator.contractor, day=today))
    orders += list(selectors_sla.upcoming_reconnections(contractor=coordinator.contractor, day=today))
    reconnections = sorted(
        (o for o in orders if o.kind == OrderKind.RECONNECT),
        key=lambda o: (o.status != OrderStatus.PENDING, o.due_at or now, o.pk),
    )
    cuts = [o for o in orders if o.kind == OrderKind.CUT]
    cancelled = list(selectors_sla.cancelled_for_coordinator(contractor=coordinator.contractor, day=today))
    seen = request.GET.get("visto", "")
    seen = int(seen) if seen.isdigit() else None
    for order in reconnections:
        order.is_late = order.status == OrderStatus.PENDING and order.due_at is not None and order.due_at < now
        order.is_new = seen is not None and order.pk > seen
    cut_debts = selectors_sla.cut_debts([o for o in cuts if o.status == OrderStatus.PENDING])
    for order in cuts:
        order.debt = cut_debts.get(order.pk)
    return {
        "coordinator": coordinator,
        "contractor": coordinator.contractor,
        "today": today,
        "now": now,
        "reconnections": reconnections,
        "cuts": cuts,
        "sections": [("Reconexiones", "reconnection-orders", reconnections), ("Cortes", "cut-orders", cuts)],
        "cancelled": cancelled,
        "pending_count": sum(1 for o in orders if o.status == OrderStatus.PENDING),
        "new_count": sum(1 for o in reconnections if o.is_new and o.status == OrderStatus.PENDING),
        "last_seen": max((o.pk for o in reconnections), default=0) if seen is None else seen,
        "reasons": NotExecutedReason.choices,
    }


@role_required(*COORDINATORS)
def my_orders(request):
    coordinator = _coordinator_of(request.user)
    if coordinator is None:
        return render(request, "field_orders/my_orders.html", {"no_contractor": True})
    # The poll keeps asking with the last reconnection seen at page load: later ones are "new".
    return render(request, "field_orders/my_orders.html", _my_day(request, coordinator))


@role_required(*COORDINATORS)
def my_orders_partial(request):
    coordinator = _coordinator_of(request.user)
    if coordinator is None:
        return render(request, "field_orders/_my_orders_list.html", {"no_contractor": True})
    return render(request, "field_orders/_my_orders_list.html", _my_day(request, coordinator))


# ---------------------------------------------------------------------------------------------
# Orders list and detail
# ---------------------------------------------------------------------------------------------


@role_required(*FIELD_READERS)
def orders(request):
    form = OrdersFilterForm(request.GET or None)
    filters = form.to_filters()
    rows = selectors_sla.orders_list(filters=filters)
    if request.GET.get("formato") == "xlsx":
        return _orders_xlsx(rows)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    for order in page:
        order.is_late = order.due_at is not None and (
            (order.status == OrderStatus.PENDING and order.due_at < now)
            or (order.status == OrderStatus.EXECUTED and order.executed_at and order.executed_at > order.due_at)
        )
    return render(request, "field_orders/orders.html", {"form": form, "page": page, "total": page.paginator.count})


ORDER_HEADERS = [
    "Orden",
    "Tipo",
    "Estado",
    "Cuenta",
    "Titular",
    "Zona",
    "Dirección",
    "Microempresa",
    "Cuadrilla",
    "Para el día",
    "Vence",
    "Origen",
    "Ordenada por el evento del",
    "Ejecutada / registrada",
    "Motivo de no ejecución",
    "Motivo de anulación",
    "Observaciones",
    "Cargo de reconexión (Bs)",
]


def _orders_xlsx(rows):
    today = timezone.localdate()
    reasons = dict(NotExecutedReason.choices)
    return xlsx_response(
        filename=f"ordenes-de-campo-{today:%Y%m%d}.xlsx",
        sheet="Órdenes",
        title=f"Órdenes de corte y reconexión al {today:%d/%m/%Y}",
        headers=ORDER_HEADERS,
        rows=(
            [
                o.number,
                o.get_kind_display(),
                o.get_status_display(),
                o.account.number,
                o.account.customer.name,
                o.account.zone.name,
                o.account.address,
                o.contractor.name if o.contractor else selectors_sla.NO_CONTRACTOR,
                o.crew.name if o.crew else "",
                o.scheduled_for,
                o.due_at,
                o.trigger,
                o.triggered_at,
                o.executed_at,
                reasons.get(o.not_executed_reason, ""),
                o.cancel_reason,
                o.notes,
                o.charge,
            ]
            for o in rows.iterator(chunk_size=2000)
        ),
    )


def _visible_order(request, number: str):
    """Readers see every order; a coordinator only his contractor's (404 for the others, so he
    does not even learn they exist)."""
    if has_role(request.user, *FIELD_READERS, *FIELD_SUPERVISORS):
        order = selectors_sla.order_get(number=number)
    else:
        coordinator = _coordinator_of(request.user)
        order = selectors_sla.order_get(number=number, contractor=coordinator.contractor) if coordinator else None
    if order is None:
        raise Http404("No existe esa orden.")
    return order


@role_required(*FIELD_READERS, *COORDINATORS)
def order_detail(request, number):
    order = _visible_order(request, number)
    is_coordinator = not has_role(request.user, *FIELD_READERS, *FIELD_SUPERVISORS)
    context = {
        "order": order,
        "events": selectors_sla.order_timeline(order),
        "may_cancel": has_role(request.user, *FIELD_SUPERVISORS) and order.status == OrderStatus.PENDING,
        "may_record": order.status == OrderStatus.PENDING
        and (has_role(request.user, *FIELD_SUPERVISORS) or is_coordinator),
        "is_late": order.due_at is not None and order.status == OrderStatus.PENDING and order.due_at < timezone.now(),
        "cancel_form": OrderCancelForm(),
        "reasons": NotExecutedReason.choices,
        "is_coordinator": is_coordinator,
    }
    return render(request, "field_orders/order_detail.html", context)


@role_required(*FIELD_SUPERVISORS)
@require_POST
def order_cancel(request, number):
    order = _visible_order(request, number)
    form = OrderCancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Indique el motivo de la anulación.")
        return redirect("field_orders:order_detail", number=order.number)
    try:
        services.order_cancel(actor=request.user, order_id=order.pk, reason=form.cleaned_data["motivo"])
    except services.FieldOrderError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Orden {order.number} anulada.")
    return redirect("field_orders:order_detail", number=order.number)


@role_required(*COORDINATORS, *FIELD_SUPERVISORS)
@require_POST
def order_result(request, number):
    supervisor = has_role(request.user, *FIELD_SUPERVISORS)
    coordinator = None if supervisor else _coordinator_of(request.user)
    if not supervisor and coordinator is None:
        raise PermissionDenied("Su usuario no está vinculado a ninguna microempresa.")
    order = selectors_sla.order_get(number=number, contractor=coordinator.contractor if coordinator else None)
    if order is None:
        raise Http404("No existe esa orden.")
    back = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    back = back or (
        reverse("field_orders:my_orders") if coordinator else reverse("field_orders:order_detail", args=[order.number])
    )
    form = OrderResultForm(request.POST)
    if not form.is_valid():
        errors = "; ".join(e for field_errors in form.errors.values() for e in field_errors)
        messages.error(request, f"Orden {order.number}: {errors}")
        return redirect(back)
    try:
        services.order_record_result(
            actor=request.user,
            order_id=order.pk,
            executed=form.executed,
            at=form.moment(),
            reason=form.cleaned_data["motivo"],
            notes=form.cleaned_data["observaciones"],
            contractor=coordinator.contractor if coordinator else None,
        )
    except services.FieldOrderError as error:
        messages.error(request, f"Orden {order.number}: {' '.join(error.messages)}")
    else:
        label = "ejecutada" if form.executed else "registrada como no ejecutada"
        messages.success(request, f"Orden {order.number} ({order.account.number}) {label}.")
    return redirect(back)
