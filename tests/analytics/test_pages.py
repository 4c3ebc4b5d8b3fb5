"""Stored versions, the command, the report's access table and the desk's risk tag."""

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from mora.agreements import selectors as agreement_selectors
from mora.agreements import services as agreement_services
from mora.agreements.domain.policy import AgreementKind
from mora.analytics import scoring, services
from mora.analytics.models import RiskModel, Source, TrainingJob
from mora.billing.models import Invoice, Payment, PaymentAllocation
from mora.core.roles import Role
from tests.factories import make_account, make_invoice

pytestmark = pytest.mark.django_db
ROWS = 1500


@pytest.fixture
def trained(users):
    return services.risk_model_train(actor=users[Role.SUPERVISOR], source=Source.SYNTHETIC, rows=ROWS, seed=11)


def test_command_creates_a_version_and_keeps_the_old_ones(capsys):
    call_command("train_risk_model", "--source", "sintetico", "--rows", str(ROWS), "--seed", "11")
    call_command("train_risk_model", "--rows", str(ROWS), "--seed", "12")  # base: too few outcomes
    first, second = RiskModel.objects.order_by("version")
    assert (first.version, second.version) == (1, 2)
    assert first.source == second.source == Source.SYNTHETIC
    assert second.requested_source == Source.DATABASE
    assert "Modelo entrenado con historia sintética de demostración: 1.500 convenios." in second.notes
    assert "La base tiene 0 convenios con resultado" in second.notes
    assert first.n_rows == ROWS and first.metrics["auc"] > 0.6
    assert second.psi_version is not None  # compared with version 1
    assert "Modelo v2" in capsys.readouterr().out


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.AUDITOR])
def test_report_for_supervisor_and_auditor(client_for, role, trained):
    response = client_for(role).get(reverse("analytics:report"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Modelo entrenado con historia sintética de demostración: 1.500 convenios." in html
    assert "la chance de incumplir es" in html and "IC 95 %" in html
    assert 'id="leakage-note"' in html and 'id="chart-calibration"' in html
    assert ('id="train-button"' in html) == (role == Role.SUPERVISOR)
    pdf = client_for(role).get(reverse("analytics:report_pdf"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


@pytest.mark.parametrize("role", [Role.OFFICER, Role.CASHIER, Role.COORDINATOR, Role.ADMIN])
def test_report_forbidden_to_others(client_for, role):
    assert client_for(role).get(reverse("analytics:report")).status_code == 403
    assert client_for(role).get(reverse("analytics:report_pdf")).status_code == 403
    assert client_for(role).post(reverse("analytics:train")).status_code == 403


def test_report_without_model(client_for):
    response = client_for(Role.SUPERVISOR).get(reverse("analytics:report"))
    assert response.status_code == 200 and 'id="no-model"' in response.content.decode()


def test_train_button_only_for_supervisor_and_runs_in_background(
    client_for, settings, django_capture_on_commit_callbacks
):
    assert client_for(Role.AUDITOR).post(reverse("analytics:train"), {"fuente": "sintetico"}).status_code == 403
    settings.MORA_TASK_MODE = "sync"  # the worker runs it at commit, in the test's thread
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(Role.SUPERVISOR).post(reverse("analytics:train"), {"fuente": "sintetico"})
    assert response.status_code == 302
    job = TrainingJob.objects.get()
    assert job.status == TrainingJob.Status.DONE and job.result.version == 1
    progress = client_for(Role.SUPERVISOR).get(reverse("analytics:training_progress", args=[job.pk]))
    assert "Versión 1 lista." in progress.content.decode()


def _quote(account, today):
    request = agreement_selectors.QuoteRequest(
        kind=AgreementKind.EARLY_SOLUTION,
        invoice_ids=None,
        down_payment=None,
        installments=None,
        first_due=None,
        signing_date=today,
    )
    return agreement_selectors.agreement_quote(account=account, request=request, today=today)


def _account_in_arrears(today):
    account = make_account(tarifa_dignidad=True)
    for months in range(1, 13):  # a year of bills of Bs 120, the last two unpaid
        due = today - timedelta(days=30 * months - 20)
        invoice = make_invoice(account=account, due_date=due, amount="120.00")
        if months > 2:  # paid two days before its due date
            payment = Payment.objects.create(
                source="CAJA",
                receipt_number=f"R{invoice.pk}",
                account=account,
                paid_at=timezone.make_aware(datetime.combine(due - timedelta(days=2), time(10))),
                amount=invoice.amount,
                channel="VENTANILLA",
            )
            PaymentAllocation.objects.create(payment=payment, invoice=invoice, amount=invoice.amount)
            Invoice.objects.filter(pk=invoice.pk).update(balance=Decimal("0.00"))
    return account


def test_quote_risk_tag_renders_probability_and_three_factors(trained):
    agreement_services.policy_ensure_defaults()
    today = timezone.localdate()
    account = _account_in_arrears(today)
    quote = _quote(account, today)
    assert quote.debt == Decimal("240.00") and quote.can_create
    html = Template("{% load analytics_tags %}{% quote_risk quote %}").render(Context({"quote": quote}))
    assert 'id="quote-risk-probability"' in html and " %</strong>" in html
    assert html.count("<li>") == 3
    assert "Es lo que los datos asocian con el cumplimiento, no una garantía." in html
    assert 'id="quote-risk-options"' in html


def test_predict_and_recommend(trained):
    agreement_services.policy_ensure_defaults()
    today = timezone.localdate()
    account = _account_in_arrears(today)
    options = scoring.recommend_terms(account=account, kind=AgreementKind.EARLY_SOLUTION, today=today)
    assert 1 <= len(options) <= 3
    assert options == sorted(options, key=lambda o: -round(o.probability, 3)) or len(options) == 1
    for option in options:
        assert option.share is None or option.share <= 50
        assert option.installment >= Decimal("20.00")
    quote = _quote(account, today)
    from mora.analytics.dataset import account_features

    base = account_features(account=account, today=today)
    assert base["tarifa_dignidad"] == 1 and base["late_invoices_12m"] == 2
    keep, factors = scoring.predict_compliance(features=scoring.quote_features(quote, base))
    assert 0 < keep < 1 and len(factors) == 3
    # A prior breach lowers the predicted compliance of the same terms.
    worse, _ = scoring.predict_compliance(features={**scoring.quote_features(quote, base), "prior_breaches": 2})
    assert worse < keep


@pytest.mark.django_db
def test_train_command_if_none_trains_only_the_first_time():
    from io import StringIO

    from django.core.management import call_command

    from mora.analytics.models import RiskModel

    call_command("train_risk_model", "--if-none", "--source", "sintetico", "--rows", "800", stdout=StringIO())
    assert RiskModel.objects.count() == 1
    out = StringIO()
    call_command("train_risk_model", "--if-none", stdout=out)
    assert RiskModel.objects.count() == 1 and "Ya hay un modelo" in out.getvalue()


@pytest.mark.django_db
def test_report_shows_a_model_trained_from_the_command_line(client_for):
    from io import StringIO

    from django.core.management import call_command
    from django.urls import reverse

    from mora.core.roles import Role

    call_command("train_risk_model", "--source", "sintetico", "--rows", "800", stdout=StringIO())
    response = client_for(Role.SUPERVISOR).get(reverse("analytics:report"))
    assert response.status_code == 200
    assert "comando" in response.content.decode()
