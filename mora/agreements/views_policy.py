"""Policy pages: every term of each kind in plain Spanish, its history with what changed, and
the editor (a new version each time; agreements keep the version they were made under)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render

from mora.core.access import role_required
from mora.core.roles import POLICY_READERS, POLICY_WRITERS

from . import selectors, services
from .domain.policy import DEFAULT_POLICIES, AgreementKind
from .forms_quote import KIND_SHORT_LABELS, PolicyForm, terms_diff, terms_rows


def _history(kind: AgreementKind) -> list[dict]:
    versions = list(selectors.policy_versions(kind=kind))
    history = []
    for index, policy in enumerate(versions):
        previous = versions[index + 1] if index + 1 < len(versions) else None
        history.append(
            {
                "policy": policy,
                "changes": terms_diff(previous.terms, policy.terms) if previous is not None else None,
            }
        )
    return history


@role_required(*POLICY_READERS)
def policy_list(request):
    sections = []
    for kind in AgreementKind:
        current = selectors.policy_current(kind=kind)
        sections.append(
            {
                "kind": kind,
                "label": KIND_SHORT_LABELS[kind],
                "full_label": kind.label,
                "current": current,
                "rows": terms_rows(selectors.policy_terms(current)) if current else [],
                "history": _history(kind),
            }
        )
    return render(request, "agreements/policies.html", {"sections": sections})


@role_required(*POLICY_WRITERS)
def policy_edit(request, kind: str):
    try:
        kind = AgreementKind(kind)
    except ValueError:
        raise Http404("Tipo de convenio desconocido") from None
    current = selectors.policy_current(kind=kind)
    terms = selectors.policy_terms(current) if current else DEFAULT_POLICIES[kind]
    if request.method == "POST":
        form = PolicyForm(request.POST, terms=terms)
        if form.is_valid():
            try:
                policy = services.policy_update(
                    actor=request.user, kind=kind, terms=form.terms(), reason=form.cleaned_data["reason"]
                )
            except services.AgreementError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(
                    request,
                    f"Política de {KIND_SHORT_LABELS[kind]}: versión {policy.version} vigente. "
                    "Los convenios ya firmados mantienen la suya.",
                )
                return redirect("agreements:policies")
    else:
        form = PolicyForm(terms=terms)
    context = {"kind": kind, "label": KIND_SHORT_LABELS[kind], "current": current, "form": form}
    return render(request, "agreements/policy_edit.html", context)
