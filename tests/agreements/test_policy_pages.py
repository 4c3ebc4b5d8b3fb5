"""Policy pages: who may read and change them, versions, and the form built from PolicyTerms."""

import dataclasses
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from mora.agreements import selectors, services
from mora.agreements.domain.policy import AgreementKind, PolicyTerms
from mora.agreements.forms_quote import TERM_SPECS, PolicyForm, term_display
from mora.agreements.models import AgreementPolicy
from mora.core.roles import Role
from tests.factories import make_account, make_invoice

pytestmark = pytest.mark.django_db

ALL_ROLES = set(Role.values)
READERS = {Role.OFFICER, Role.SUPERVISOR, Role.AUDITOR, Role.ADMIN}
WRITERS = {Role.SUPERVISOR, Role.ADMIN}


def post_data(terms: PolicyTerms, reason="Ajuste", **changes) -> dict:
    """What the browser sends for these terms, typed the Bolivian way (decimal comma)."""
    data = {"reason": reason}
    values = {**dataclasses.asdict(terms), **changes}
    for name, value in values.items():
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is None:
            data[name] = ""
        else:
            data[name] = str(value).replace(".", ",")
    return data


@pytest.mark.parametrize("role", sorted(ALL_ROLES))
def test_policy_list_access(client_for, role):
    response = client_for(role).get(reverse("agreements:policies"))
    assert response.status_code == (200 if role in READERS else 403)


@pytest.mark.parametrize("role", sorted(ALL_ROLES))
def test_policy_edit_access(client_for, role):
    response = client_for(role).get(reverse("agreements:policy_edit", args=["ST"]))
    assert response.status_code == (200 if role in WRITERS else 403)


def test_policy_edit_unknown_kind_is_404(client_for):
    assert client_for(Role.SUPERVISOR).get(reverse("agreements:policy_edit", args=["XX"])).status_code == 404


def test_every_term_has_a_spanish_label():
    assert {f.name for f in dataclasses.fields(PolicyTerms)} == set(TERM_SPECS)


def test_term_display_in_plain_spanish():
    assert term_display("min_down_payment_pct", Decimal("20")) == "20 %"
    assert term_display("max_debt", Decimal("3000.00")) == "Bs 3.000,00"
    assert term_display("max_debt", None) == "sin límite"
    assert term_display("monthly_interest_rate", Decimal("0.005")) == "0,5 % al mes"
    assert term_display("approval_allowed", False) == "No"
    assert term_display("grace_days", 10) == "10 días"


def test_policy_list_shows_terms_in_plain_spanish(client_for):
    html = client_for(Role.OFFICER).get(reverse("agreements:policies")).content.decode()
    assert "Cuota inicial mínima" in html and "20 %" in html and "30 %" in html
    assert "Bs 3.000,00" in html  # Solución Temprana's maximum debt
    assert "sin límite" in html  # the contract has no maximum debt
    assert "Versión inicial" in html
    # An officer reads but may not change.
    assert reverse("agreements:policy_edit", args=["ST"]) not in html


def test_form_fields_follow_the_dataclass_types():
    form = PolicyForm(terms=selectors.policy_terms(selectors.policy_current(kind=AgreementKind.EARLY_SOLUTION)))
    assert type(form.fields["max_installments"]).__name__ == "IntegerField"
    assert type(form.fields["min_down_payment_pct"]).__name__ == "DecimalField"
    assert type(form.fields["approval_allowed"]).__name__ == "BooleanField"
    assert not form.fields["max_debt"].required and "vacío = sin límite" in form.fields["max_debt"].help_text
    assert form.fields["min_debt"].required
    assert form.fields["reason"].required
    assert form["max_installments"].value() == 3
    # Shown the Bolivian way, as typed back.
    assert 'value="3000,00"' in str(form["max_debt"])
    assert 'value="20"' in str(form["min_down_payment_pct"])


def test_post_creates_version_2_and_old_agreements_keep_version_1(client_for, users):
    today = timezone.localdate()
    account = make_account()
    for months in (2, 1):
        make_invoice(account=account, due_date=today - timedelta(days=30 * months), amount="500.00")
    request = selectors.QuoteRequest(
        kind=AgreementKind.EARLY_SOLUTION,
        invoice_ids=None,
        down_payment=None,
        installments=None,
        first_due=None,
        signing_date=today,
    )
    old = services.agreement_create(actor=users[Role.OFFICER], account=account, request=request)
    v1 = selectors.policy_current(kind=AgreementKind.EARLY_SOLUTION)
    assert old.policy == v1 and v1.version == 1

    client = client_for(Role.SUPERVISOR)
    data = post_data(
        selectors.policy_terms(v1), reason="Más plazo para familias", max_installments="4", min_down_payment_pct="15,5"
    )
    response = client.post(reverse("agreements:policy_edit", args=["ST"]), data)
    assert response.status_code == 302 and response["Location"] == reverse("agreements:policies")

    v2 = selectors.policy_current(kind=AgreementKind.EARLY_SOLUTION)
    assert v2.version == 2 and v2.reason == "Más plazo para familias"
    assert v2.created_by == users[Role.SUPERVISOR]
    terms = selectors.policy_terms(v2)
    assert terms.max_installments == 4 and terms.min_down_payment_pct == Decimal("15.5")
    assert terms.max_debt == Decimal("3000.00")  # untouched terms carried over
    old.refresh_from_db()
    assert old.policy_id == v1.pk
    # The contract's policy is untouched.
    assert selectors.policy_current(kind=AgreementKind.DEBT_CONTRACT).version == 1

    html = client.get(reverse("agreements:policies")).content.decode()
    assert "Más plazo para familias" in html
    assert "Cuotas, máximo: <del>3</del> → <strong>4</strong>" in html
    assert "<del>20 %</del> → <strong>15,5 %</strong>" in html


def test_empty_optional_term_means_no_limit(client_for):
    terms = selectors.policy_terms(selectors.policy_current(kind=AgreementKind.EARLY_SOLUTION))
    response = client_for(Role.ADMIN).post(
        reverse("agreements:policy_edit", args=["ST"]), post_data(terms, max_debt="", reason="Sin tope")
    )
    assert response.status_code == 302
    assert selectors.policy_terms(selectors.policy_current(kind=AgreementKind.EARLY_SOLUTION)).max_debt is None


def test_incoherent_terms_show_the_errors_and_create_nothing(client_for):
    terms = selectors.policy_terms(selectors.policy_current(kind=AgreementKind.DEBT_CONTRACT))
    response = client_for(Role.SUPERVISOR).post(
        reverse("agreements:policy_edit", args=["CPRD"]),
        post_data(terms, max_debt="10,00", min_debt="500,00", min_down_payment_pct="120"),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "La deuda máxima es menor que la mínima." in html
    assert "Los porcentajes de cuota inicial deben estar entre 0 y 100." in html
    assert AgreementPolicy.objects.filter(kind="CPRD").count() == 1


def test_reason_is_mandatory_and_unchanged_policy_is_refused(client_for):
    terms = selectors.policy_terms(selectors.policy_current(kind=AgreementKind.EARLY_SOLUTION))
    client = client_for(Role.SUPERVISOR)
    url = reverse("agreements:policy_edit", args=["ST"])
    no_reason = client.post(url, post_data(terms, reason="", max_installments="4"))
    assert no_reason.status_code == 200 and no_reason.context["form"].errors["reason"]
    unchanged = client.post(url, post_data(terms, reason="Nada"))
    assert "La política no cambió." in unchanged.content.decode()
    assert AgreementPolicy.objects.filter(kind="ST").count() == 1
