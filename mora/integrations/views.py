from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from mora.core.access import role_required
from mora.core.roles import INTEGRATION_ADMINS

from . import services
from .forms import ApiClientForm, ReasonForm
from .models import ApiCall, ApiClient


def _show_token_once(request, client: ApiClient, token: str):
    return render(request, "integrations/token.html", {"client": client, "token": token})


@role_required(*INTEGRATION_ADMINS)
def clients(request):
    form = ApiClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            client, token = services.api_client_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            return _show_token_once(request, client, token)
    return render(
        request,
        "integrations/clients.html",
        {
            "form": form,
            "clients": ApiClient.objects.select_related("contractor").order_by("-is_active", "name"),
            "calls": ApiCall.objects.select_related("client")[:50],
        },
    )


@role_required(*INTEGRATION_ADMINS)
@require_POST
def client_rotate(request, pk: int):
    client = get_object_or_404(ApiClient, pk=pk)
    try:
        client, token = services.api_client_rotate(actor=request.user, client_id=client.pk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("integrations:clients")
    return _show_token_once(request, client, token)


@role_required(*INTEGRATION_ADMINS)
@require_POST
def client_revoke(request, pk: int):
    client = get_object_or_404(ApiClient, pk=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Indique el motivo de la revocación.")
    else:
        services.api_client_revoke(actor=request.user, client_id=client.pk, reason=form.cleaned_data["reason"])
        messages.success(request, f"Cliente «{client.name}» revocado: su token ya no sirve.")
    return redirect("integrations:clients")
