from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from . import selectors, services
from .access import role_required
from .roles import (
    ACCOUNT_READERS,
    AUDIT_READERS,
    CALENDAR_READERS,
    CALENDAR_WRITERS,
    IMPORT_READERS,
    PORTFOLIO_READERS,
    Role,
    has_role,
)


@login_required
def home(request):
    """Send each role to the page it starts its day on."""
    user = request.user
    if has_role(user, *PORTFOLIO_READERS):
        return redirect("billing:dashboard")
    if has_role(user, *ACCOUNT_READERS):
        return redirect("customers:search")
    if has_role(user, Role.COORDINATOR):
        return redirect("field_orders:my_orders")
    if has_role(user, *IMPORT_READERS):
        return redirect("billing:import_list")
    return render(request, "core/home.html")


class CalendarDayForm(forms.Form):
    day = forms.DateField(
        label="Día", input_formats=["%d/%m/%Y", "%Y-%m-%d"], widget=forms.DateInput(attrs={"type": "date"})
    )
    name = forms.CharField(label="Descripción", max_length=120)
    is_working = forms.BooleanField(label="Es día hábil (anula un feriado)", required=False)


@role_required(*CALENDAR_READERS)
@require_http_methods(["GET", "POST"])
def calendar_view(request):
    today = timezone.localdate()
    try:
        year = min(max(int(request.GET.get("anio") or today.year), 1990), 2100)
    except ValueError:
        year = today.year
    form = CalendarDayForm()
    may_edit = has_role(request.user, *CALENDAR_WRITERS)
    if request.method == "POST":
        if not may_edit:
            return render(request, "403.html", status=403)
        if "remove" in request.POST:
            try:
                services.calendar_day_remove(
                    actor=request.user, day_id=int(request.POST["remove"]), reason="Quitado desde el calendario"
                )
                messages.success(request, "Día quitado del calendario.")
            except (ValidationError, ValueError) as exc:
                messages.error(request, "; ".join(getattr(exc, "messages", [str(exc)])))
            return redirect(f"{request.path}?anio={year}")
        form = CalendarDayForm(request.POST)
        if form.is_valid():
            services.calendar_day_set(actor=request.user, **form.cleaned_data)
            messages.success(request, "Calendario actualizado.")
            return redirect(f"{request.path}?anio={form.cleaned_data['day'].year}")
    return render(
        request,
        "core/calendar.html",
        {
            "year": year,
            "days": selectors.calendar_year(year),
            "form": form,
            "may_edit": may_edit,
            "today": today,
        },
    )


@role_required(*AUDIT_READERS)
def audit_log(request):
    text = request.GET.get("q", "").strip()
    page = selectors.audit_page(page=request.GET.get("page", 1), text=text)
    return render(request, "core/audit_log.html", {"page": page, "q": text})
