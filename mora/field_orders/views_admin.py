"""Contractors administration: microempresas, the zones they serve, their crews and
coordinators."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from mora.core.access import role_required
from mora.core.roles import CONTRACTOR_ADMINS

from . import services_admin
from .forms_orders import ContractorForm, CrewFormSet, crew_rows
from .models import Contractor, Coordinator, Crew


@role_required(*CONTRACTOR_ADMINS)
def contractors(request):
    rows = Contractor.objects.prefetch_related(
        Prefetch("zones", to_attr="zone_list"),
        Prefetch("crews", queryset=Crew.objects.order_by("name"), to_attr="crew_list"),
        Prefetch("coordinators", queryset=Coordinator.objects.select_related("user"), to_attr="coordinator_list"),
    ).order_by("name")
    for contractor in rows:
        contractor.capacity = sum(c.daily_capacity for c in contractor.crew_list if c.is_active)
        contractor.zone_list = sorted(contractor.zone_list, key=lambda z: z.code)
    return render(request, "field_orders/contractors.html", {"contractors": rows})


@role_required(*CONTRACTOR_ADMINS)
@require_http_methods(["GET", "POST"])
def contractor_edit(request, pk=None):
    contractor = get_object_or_404(Contractor, pk=pk) if pk else Contractor()
    form = ContractorForm(request.POST or None, instance=contractor, prefix="m")
    crews = CrewFormSet(request.POST or None, instance=contractor, prefix="crews")
    if request.method == "POST" and form.is_valid() and crews.is_valid():
        try:
            saved = services_admin.contractor_admin_save(
                actor=request.user,
                contractor=form.save(commit=False),
                zone_ids=[zone.pk for zone in form.cleaned_data["zones"]],
                crews=crew_rows(crews),
                coordinator_ids=[user.pk for user in form.cleaned_data["coordinators"]],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Microempresa {saved.name} guardada.")
            return redirect("field_orders:contractors")
    return render(
        request, "field_orders/contractor_edit.html", {"form": form, "crews": crews, "contractor": contractor}
    )
