"""The agreement pages through the test client: who may open them, the list filters and its
spreadsheet, and every action on an agreement end to end (agreements made with the services,
as tests/agreements/test_services_flow.py does)."""

import io
from datetime import timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from mora.agreements import selectors, services
from mora.agreements.domain.policy import AgreementKind
from mora.agreements.domain.states import AgreementStatus as St
from mora.agreements.models import Agreement, AgreementEvent, Reschedule
from mora.billing.services import payment_record
from mora.core.roles import Role
from tests.factories import make_account, make_invoice, make_route, make_zone

pytestmark = pytest.mark.django_db

O, S, C, K, A, D = Role.OFFICER, Role.SUPERVISOR, Role.CASHIER, Role.COORDINATOR, Role.AUDITOR, Role.ADMIN  # noqa: E741
READERS = {O, S, A, C}
WRITERS = {O, S}
APPROVERS = {S}

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pay(account, amount, receipt):
    payment, _ = payment_record(
        source="CAJA",
        receipt_number=receipt,
        account=account,
        paid_at=timezone.now(),
        amount=Decimal(amount),
        channel="VENTANILLA",
    )
    return payment


def debtor(number=None, zone=None, big=False):
    """An account with three overdue invoices of Bs 300 (and one of Bs 3.000 when `big`)."""
    today = timezone.localdate()
    route = make_route(zone=zone) if zone else None
    account = make_account(number=number, route=route) if route else make_account(number=number)
    for months in (3, 2, 1):
        make_invoice(account=account, due_date=today - timedelta(days=30 * months), amount="300.00")
    if big:
        make_invoice(account=account, due_date=today - timedelta(days=150), amount="3000.00")
    return account


def request(kind=AgreementKind.EARLY_SOLUTION, **terms):
    return selectors.QuoteRequest(
        kind=kind,
        invoice_ids=None,
        down_payment=terms.get("down_payment"),
        installments=terms.get("installments"),
        first_due=terms.get("first_due"),
        signing_date=timezone.localdate(),
    )


def early_solution(officer, account=None, installments=None):
    account = account or debtor()
    return services.agreement_create(actor=officer, account=account, request=request(installments=installments))


def contract(officer, account=None, installments=18, justification="Ingreso irregular"):
    account = account or debtor(big=True)
    return services.agreement_create(
        actor=officer,
        account=account,
        request=request(AgreementKind.DEBT_CONTRACT, installments=installments),
        justification=justification,
    )


def sign_with_services(agreement, officer, receipt="R-1"):
    pay(agreement.account, agreement.down_payment, receipt)
    services.agreement_sign(
        actor=officer,
        agreement_id=agreement.pk,
        signed_on=timezone.localdate(),
        signer_name="Titular",
        signer_id_number="123",
        receipt_source="CAJA",
        receipt_number=receipt,
    )
    agreement.refresh_from_db()
    return agreement


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


# ---------------------------------------------------------------------------------------------
# Access
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def signed(users):
    """An agreement in force, with a signed scan, and one reschedule awaiting signature."""
    officer = users[O]
    agreement = sign_with_services(early_solution(officer, installments=2), officer)
    agreement.signature_scan = SimpleUploadedFile("firmado.pdf", PDF, content_type="application/pdf")
    agreement.save(update_fields=["signature_scan"])
    return agreement


PAGES = [
    ("agreements:list", lambda a: {}, READERS),
    ("agreements:export", lambda a: {}, READERS),
    ("agreements:approvals", lambda a: {}, APPROVERS),
    ("agreements:detail", lambda a: {"number": a.number}, READERS),
    ("agreements:signature_scan", lambda a: {"number": a.number}, READERS),
    ("agreements:reschedule", lambda a: {"number": a.number}, WRITERS),
]


@pytest.mark.parametrize(("name", "kwargs", "allowed"), PAGES, ids=[p[0] for p in PAGES])
def test_pages_only_for_their_roles(client, users, signed, name, kwargs, allowed):
    url = reverse(name, kwargs=kwargs(signed))
    assert reverse("login") in client.get(url)["Location"]
    for role in Role.values:
        client.force_login(users[role])
        response = client.get(url)
        assert response.status_code == (200 if role in allowed else 403), f"{role} on {name}"


POSTS = [
    ("agreements:approve", False, APPROVERS),
    ("agreements:reject", False, APPROVERS),
    ("agreements:sign", False, WRITERS),
    ("agreements:cancel", False, WRITERS),
    ("agreements:reschedule", False, WRITERS),
    ("agreements:reschedule_decide", True, APPROVERS),
    ("agreements:reschedule_sign", True, WRITERS),
]


@pytest.mark.parametrize(("name", "with_pk", "allowed"), POSTS, ids=[p[0] for p in POSTS])
def test_actions_only_for_their_roles(client, users, signed, name, with_pk, allowed):
    reschedule = services.reschedule_request(
        actor=users[O],
        agreement_id=signed.pk,
        new_count=3,
        first_due=timezone.localdate() + timedelta(days=40),
        reason="Enfermedad",
    )
    kwargs = {"number": signed.number, **({"pk": reschedule.pk} if with_pk else {})}
    url = reverse(name, kwargs=kwargs)
    for role in Role.values:
        client.force_login(users[role])
        response = client.post(url, {})
        # Allowed roles reach the view: an empty form is refused with a message (redirect), or
        # the reschedule page shows its form again with the errors (200).
        expected = {302, 200} if role in allowed else {403}
        assert response.status_code in expected, f"{role} on {name}: {response.status_code}"
    signed.refresh_from_db()
    reschedule.refresh_from_db()
    assert signed.status == St.CURRENT and reschedule.status == Reschedule.Status.AWAITING_SIGNATURE


def test_actions_refuse_get(client_for, signed):
    response = client_for(S).get(reverse("agreements:cancel", kwargs={"number": signed.number}))
    assert response.status_code == 405


# ---------------------------------------------------------------------------------------------
# List and export
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def portfolio(users):
    """Four agreements: different kinds, statuses, zones, officers, dates and breaches."""
    north, south = make_zone(code="CT-NOR", name="Norte"), make_zone(code="CT-SUR", name="Sur")
    officer, boss = users[O], users[S]
    first = early_solution(officer, debtor(number="50000001", zone=north))
    second = sign_with_services(early_solution(officer, debtor(number="50000002", zone=south)), officer, "R-2")
    third = contract(boss, debtor(number="50000003", zone=north, big=True))
    fourth = early_solution(boss, debtor(number="50000004", zone=south))
    services.agreement_cancel(actor=boss, agreement_id=fourth.pk, reason="Error de carga")
    Agreement.objects.filter(pk=second.pk).update(breaches=1)
    Agreement.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(days=40))
    return {"first": first, "second": second, "third": third, "fourth": fourth, "north": north, "south": south}


def listed(client, **params) -> list[str]:
    response = client.get(reverse("agreements:list"), params)
    assert response.status_code == 200
    return [agreement.number for agreement in response.context["page"]]


def test_list_filters(client_for, portfolio, users):
    p = portfolio
    client = client_for(A)
    everything = listed(client)
    assert everything[-1] == p["first"].number  # newest first; the oldest was backdated
    assert set(everything) == {p[k].number for k in ("first", "second", "third", "fourth")}
    assert listed(client, orden="fecha")[0] == p["first"].number
    assert listed(client, tipo="CPRD") == [p["third"].number]
    assert listed(client, estado=St.CURRENT) == [p["second"].number]
    assert listed(client, estado=St.CANCELLED) == [p["fourth"].number]
    assert set(listed(client, zona=p["north"].pk)) == {p["first"].number, p["third"].number}
    assert set(listed(client, oficial=users[S].pk)) == {p["third"].number, p["fourth"].number}
    assert listed(client, incumplido="si") == [p["second"].number]
    assert p["second"].number not in listed(client, incumplido="no")
    assert listed(client, q="50000003") == [p["third"].number]
    assert listed(client, q=p["fourth"].number) == [p["fourth"].number]
    today = timezone.localdate()
    assert p["first"].number not in listed(client, desde=today.isoformat())
    assert listed(client, hasta=(today - timedelta(days=30)).isoformat()) == [p["first"].number]


def test_list_shows_columns_and_htmx_returns_the_table_only(client_for, portfolio):
    client = client_for(O)
    html = client.get(reverse("agreements:list")).content.decode()
    assert "<html" in html and "Exportar a Excel" in html
    response = client.get(reverse("agreements:list"), {"estado": St.CURRENT}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html
    second = portfolio["second"]
    assert f'href="{reverse("agreements:detail", kwargs={"number": second.number})}"' in html
    assert "Al día" in html and "text-bg-success" in html
    # Balance: 900 debt minus the 180 down payment paid.
    assert "Bs 720,00" in html and "Bs 900,00" in html


def test_list_bad_filter_is_reported(client_for, portfolio):
    response = client_for(O).get(reverse("agreements:list"), {"desde": "no es fecha"})
    assert response.status_code == 200
    assert "Revise los filtros" in response.content.decode()


def test_export_has_exactly_the_filtered_rows(client_for, portfolio):
    response = client_for(C).get(reverse("agreements:export"), {"zona": portfolio["south"].pk})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(min_row=5, values_only=True))
    assert sorted(row[0] for row in rows) == sorted([portfolio["second"].number, portfolio["fourth"].number])
    by_number = {row[0]: row for row in rows}
    assert by_number[portfolio["second"].number][14] == 720
    assert by_number[portfolio["fourth"].number][2] == "Anulado"


# ---------------------------------------------------------------------------------------------
# Detail and actions
# ---------------------------------------------------------------------------------------------


def detail_url(agreement, name="agreements:detail", **extra):
    return reverse(name, kwargs={"number": agreement.number, **extra})


def test_detail_shows_terms_schedule_payments_and_timeline(client_for, signed):
    html = client_for(A).get(detail_url(signed)).content.decode()
    assert signed.number in html and "Solución Temprana" in html
    assert reverse("customers:account_detail", kwargs={"number": signed.account.number}) in html
    assert "Bs 900,00" in html and "Bs 180,00" in html  # debt and down payment
    assert "Inicial" in html and "pagada" in html and "por vencer" in html
    assert "CAJA / R-1" in html  # the payment applied to the down payment
    assert "Por firmar → Al día" in html  # the timeline, with labels
    assert detail_url(signed, "agreements:signature_scan") in html
    assert detail_url(signed, "agreements:document_pdf") in html
    # An auditor reads, and sees no action.
    assert detail_url(signed, "agreements:cancel") not in html
    assert detail_url(signed, "agreements:reschedule") not in html


def test_detail_actions_follow_role_and_status(client_for, users):
    pending = contract(users[O])
    officer_html = client_for(O).get(detail_url(pending)).content.decode()
    assert detail_url(pending, "agreements:approve") not in officer_html
    assert detail_url(pending, "agreements:cancel") in officer_html
    assert "Ingreso irregular" in officer_html  # the justification
    boss_html = client_for(S).get(detail_url(pending)).content.decode()
    assert detail_url(pending, "agreements:approve") in boss_html
    assert detail_url(pending, "agreements:sign") not in boss_html


def test_signature_scan_404_without_file(client_for, users):
    agreement = early_solution(users[O])
    assert client_for(A).get(detail_url(agreement, "agreements:signature_scan")).status_code == 404


def test_approve_and_reject_through_the_page(client_for, users):
    client = client_for(S)
    first, second = contract(users[O]), contract(users[O])
    # No reason: refused, nothing changes.
    response = client.post(detail_url(first, "agreements:approve"), {"reason": " "}, follow=True)
    assert "Indique el motivo" in messages_of(response)
    first.refresh_from_db()
    assert first.status == St.PENDING_APPROVAL and not AgreementEvent.objects.filter(to_status=St.AWAITING_SIGNATURE)

    response = client.post(detail_url(first, "agreements:approve"), {"reason": "Familia con ingresos bajos"})
    assert response.status_code == 302 and response["Location"] == detail_url(first)
    first.refresh_from_db()
    assert first.status == St.AWAITING_SIGNATURE and first.decision_reason == "Familia con ingresos bajos"
    # Wrong state: approving again is refused with the service's message.
    response = client.post(detail_url(first, "agreements:approve"), {"reason": "otra vez"}, follow=True)
    assert "no puede pasar" in messages_of(response)
    first.refresh_from_db()
    assert first.decision_reason == "Familia con ingresos bajos"

    response = client.post(detail_url(second, "agreements:reject"), {"reason": "Plazo excesivo"}, follow=True)
    assert "rechazado" in messages_of(response)
    second.refresh_from_db()
    assert second.status == St.REJECTED


def sign_data(**changes):
    data = {
        "signed_on": timezone.localdate().isoformat(),
        "signer_name": "Juana Pérez",
        "signer_id_number": "4455667",
        "signer_id_department": "TJ",
        "signer_capacity": "Titular",
        "receipt_source": "CAJA",
        "receipt_number": "R-9",
        "signature_scan": SimpleUploadedFile("firmado.pdf", PDF, content_type="application/pdf"),
    }
    data.update(changes)
    return data


def test_sign_with_scan_puts_the_agreement_in_force(client_for, users):
    agreement = early_solution(users[O])
    client = client_for(O)
    # The down payment is not paid yet: refused with the service's message, nothing changes.
    response = client.post(detail_url(agreement, "agreements:sign"), sign_data(), follow=True)
    assert "cuota inicial debe estar pagada" in messages_of(response)
    agreement.refresh_from_db()
    assert agreement.status == St.AWAITING_SIGNATURE and not agreement.signature_scan

    pay(agreement.account, "180.00", "R-9")
    # A file that is not a PDF although named so: refused by the form.
    fake = SimpleUploadedFile("firmado.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(detail_url(agreement, "agreements:sign"), sign_data(signature_scan=fake), follow=True)
    assert "no es un PDF, JPG o PNG válido" in messages_of(response)
    too_big = SimpleUploadedFile("firmado.png", b"\x89PNG\r\n\x1a\n" + b"0" * (5 * 1024 * 1024), "image/png")
    response = client.post(detail_url(agreement, "agreements:sign"), sign_data(signature_scan=too_big), follow=True)
    assert "5 MB" in messages_of(response)
    agreement.refresh_from_db()
    assert agreement.status == St.AWAITING_SIGNATURE

    response = client.post(detail_url(agreement, "agreements:sign"), sign_data(), follow=True)
    assert "firmado" in messages_of(response) and "en vigencia" in messages_of(response)
    agreement.refresh_from_db()
    assert agreement.status == St.CURRENT
    assert agreement.signer_name == "Juana Pérez" and agreement.signer_id_department == "TJ"
    assert agreement.down_payment_receipt.receipt_number == "R-9"
    scan = client_for(A).get(detail_url(agreement, "agreements:signature_scan"))
    assert scan.status_code == 200 and b"".join(scan.streaming_content) == PDF


def test_cancel_through_the_page(client_for, users):
    agreement = early_solution(users[O])
    client = client_for(O)
    response = client.post(detail_url(agreement, "agreements:cancel"), {"reason": ""}, follow=True)
    assert "Indique el motivo" in messages_of(response)
    agreement.refresh_from_db()
    assert agreement.status == St.AWAITING_SIGNATURE

    response = client.post(detail_url(agreement, "agreements:cancel"), {"reason": "El cliente desistió"}, follow=True)
    assert "anulado" in messages_of(response)
    agreement.refresh_from_db()
    assert agreement.status == St.CANCELLED and agreement.cancel_reason == "El cliente desistió"
    # A cancelled agreement cannot be cancelled again, and the form is no longer offered.
    response = client.post(detail_url(agreement, "agreements:cancel"), {"reason": "otra vez"}, follow=True)
    assert "no puede pasar" in messages_of(response)
    assert detail_url(agreement, "agreements:cancel") not in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.cancel_reason == "El cliente desistió"


def test_reschedule_within_policy_then_sign(client_for, users, signed):
    client = client_for(O)
    url = detail_url(signed, "agreements:reschedule")
    assert "Disminución de ingresos" in client.get(url).content.decode()
    first_due = (timezone.localdate() + timedelta(days=40)).isoformat()
    # "Otro" needs a detail: the form is shown again, nothing is created.
    response = client.post(url, {"new_count": 3, "first_due": first_due, "reason_choice": "Otro"})
    assert response.status_code == 200 and "Detalle el motivo" in response.content.decode()
    assert not Reschedule.objects.exists()

    response = client.post(
        url, {"new_count": 3, "first_due": first_due, "reason_choice": "Enfermedad", "reason_detail": "Cirugía"}
    )
    assert response.status_code == 302
    reschedule = Reschedule.objects.get()
    assert reschedule.status == Reschedule.Status.AWAITING_SIGNATURE and reschedule.reason == "Enfermedad: Cirugía"
    html = client.get(detail_url(signed)).content.decode()
    assert detail_url(signed, "agreements:reschedule_sign", pk=reschedule.pk) in html
    assert reverse("agreements:addendum_pdf", kwargs={"number": reschedule.number}) in html

    # A future signing date is refused by the service.
    future = (timezone.localdate() + timedelta(days=2)).isoformat()
    response = client.post(
        detail_url(signed, "agreements:reschedule_sign", pk=reschedule.pk), {"signed_on": future}, follow=True
    )
    assert "no puede ser futura" in messages_of(response)
    reschedule.refresh_from_db()
    assert reschedule.status == Reschedule.Status.AWAITING_SIGNATURE

    scan = SimpleUploadedFile("adenda.jpg", b"\xff\xd8\xff\xe0" + b"0" * 20, content_type="image/jpeg")
    response = client.post(
        detail_url(signed, "agreements:reschedule_sign", pk=reschedule.pk),
        {"signed_on": timezone.localdate().isoformat(), "signature_scan": scan},
        follow=True,
    )
    assert "Adenda" in messages_of(response)
    reschedule.refresh_from_db()
    signed.refresh_from_db()
    assert reschedule.status == Reschedule.Status.SIGNED and reschedule.signature_scan
    assert signed.schedule_version == 2
    assert "Versiones anteriores" in response.content.decode()


def test_reschedule_outside_policy_goes_to_the_supervisor(client_for, users):
    officer = users[O]
    agreement = sign_with_services(contract(officer, installments=12, justification=""), officer)
    assert agreement.status == St.CURRENT
    client = client_for(O)
    url = detail_url(agreement, "agreements:reschedule")
    data = {
        "new_count": 18,
        "first_due": (timezone.localdate() + timedelta(days=40)).isoformat(),
        "reason_choice": "Desempleo",
    }
    # Outside policy without justification: the service refuses, the page says why.
    response = client.post(url, data)
    assert response.status_code == 200 and "escriba la justificación para el jefe" in response.content.decode()
    assert not Reschedule.objects.exists()
    client.post(url, {**data, "justification": "Perdió el empleo, busca otro"})
    reschedule = Reschedule.objects.get()
    assert reschedule.status == Reschedule.Status.PENDING_APPROVAL

    boss = client_for(S)
    approvals = boss.get(reverse("agreements:approvals")).content.decode()
    assert reschedule.number in approvals and "Perdió el empleo" in approvals
    decide = detail_url(agreement, "agreements:reschedule_decide", pk=reschedule.pk)
    response = boss.post(decide, {"decision": "aprobar", "reason": ""}, follow=True)
    assert "Indique el motivo" in messages_of(response)
    reschedule.refresh_from_db()
    assert reschedule.status == Reschedule.Status.PENDING_APPROVAL
    response = boss.post(decide, {"decision": "aprobar", "reason": "Situación comprobada"}, follow=True)
    assert "aprobada" in messages_of(response)
    reschedule.refresh_from_db()
    assert reschedule.status == Reschedule.Status.AWAITING_SIGNATURE
    # Deciding twice is refused by the service.
    response = boss.post(decide, {"decision": "rechazar", "reason": "No"}, follow=True)
    assert "no está pendiente" in messages_of(response)
    reschedule.refresh_from_db()
    assert reschedule.status == Reschedule.Status.AWAITING_SIGNATURE


def test_reschedule_page_refuses_an_agreement_not_in_force(client_for, users):
    agreement = early_solution(users[O])
    response = client_for(O).get(detail_url(agreement, "agreements:reschedule"), follow=True)
    assert "Solo se reprograma un convenio vigente" in messages_of(response)


def test_approvals_lists_pending_oldest_first(client_for, users):
    older, newer = contract(users[O]), contract(users[O])
    Agreement.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(days=3))
    early_solution(users[O])  # within policy: not pending
    html = client_for(S).get(reverse("agreements:approvals")).content.decode()
    assert html.index(older.number) < html.index(newer.number)
    assert '<span class="badge text-bg-warning" id="pending-agreements-count">2</span>' in html
    # The officer's justification and the outside-policy reasons.
    assert older.outside_policy and all(escape(reason) in html for reason in older.outside_policy)
    assert "Ingreso irregular" in html


def test_account_page_card(client_for, users):
    agreement = early_solution(users[O])
    url = reverse("customers:account_detail", kwargs={"number": agreement.account.number})
    quote = reverse("agreements:quote", kwargs={"account_number": agreement.account.number})
    html = client_for(O).get(url).content.decode()
    assert detail_url(agreement) in html and "Por firmar" in html and quote in html
    html = client_for(A).get(url).content.decode()
    assert detail_url(agreement) in html and quote not in html


def test_menu_links_by_role(client_for):
    html = client_for(C).get(reverse("customers:search")).content.decode()
    assert reverse("agreements:list") in html and reverse("billing:payment_new") in html
    assert reverse("agreements:approvals") not in html
    html = client_for(S).get(reverse("customers:search")).content.decode()
    assert reverse("agreements:approvals") in html
