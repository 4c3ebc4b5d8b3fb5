"""The supervisor's pages of field orders: who may use them, the daily cycle from the page,
removing lines, releasing, the spreadsheets and PDFs per contractor and crew, the policy."""

import io
from datetime import date, timedelta

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from mora.core.roles import Role
from mora.field_orders import documents, services
from mora.field_orders.domain.policy import FieldPolicy
from mora.field_orders.models import (
    Contractor,
    Crew,
    CutList,
    CutListLine,
    FieldOrder,
    FieldPolicyVersion,
    OrderStatus,
)
from mora.field_orders.models_runs import DailyCycleRun
from tests.factories import make_account, make_invoice, make_route, make_zone

pytestmark = pytest.mark.django_db

O, S, C, K, A, D = Role.OFFICER, Role.SUPERVISOR, Role.CASHIER, Role.COORDINATOR, Role.AUDITOR, Role.ADMIN  # noqa: E741
READERS = {O, S, A}
WRITERS = {S}
DRAWN_ON = date(2026, 12, 3)  # Thursday: with 3 business days of notice the list is for Tuesday 08/12/2026
CUT_DATE = date(2026, 12, 8)


def debtor(zone, number, *, amount="100.00", seq=1, route_code=None):
    route = make_route(code=route_code or f"{zone.code}-R1", zone=zone)
    account = make_account(number=number, route=route, route_sequence=seq)
    for k in range(2):
        make_invoice(account=account, due_date=DRAWN_ON - timedelta(days=20 + 30 * k), amount=amount)
    return account


@pytest.fixture
def zone():
    return make_zone(code="CT-SRO", name="San Roque")


@pytest.fixture
def contractor(zone):
    contractor = Contractor.objects.create(name="Electro Sur SRL")
    contractor.zones.add(zone)
    Crew.objects.create(contractor=contractor, name="Cuadrilla 1", daily_capacity=2)
    Crew.objects.create(contractor=contractor, name="Cuadrilla 2", daily_capacity=1)
    return contractor


@pytest.fixture
def other_contractor():
    zone = make_zone(code="CT-LOM", name="Lourdes")
    contractor = Contractor.objects.create(name="Redes Norte SRL")
    contractor.zones.add(zone)
    Crew.objects.create(contractor=contractor, name="Única", daily_capacity=5)
    debtor(zone, "OTHER-1", amount="300.00")
    return contractor


@pytest.fixture
def draft(zone, contractor, other_contractor):
    """Four debtors for a capacity of three (one waits), plus one of another contractor."""
    debtor(zone, "A-SMALL", amount="60.00", seq=1)
    debtor(zone, "A-BIG", amount="500.00", seq=3)
    debtor(zone, "A-MID", amount="200.00", seq=2)
    debtor(zone, "A-MID2", amount="150.00", seq=4)
    return services.cut_list_draw(drawn_on=DRAWN_ON)


def proposed_accounts(cut_list, **filters):
    return set(
        cut_list.lines.filter(status=CutListLine.Status.PROPOSED, **filters).values_list("account__number", flat=True)
    )


# ---------------------------------------------------------------------------------------------
# Access
# ---------------------------------------------------------------------------------------------


def page_urls(cut_list, contractor, run):
    crew = contractor.crews.order_by("name").first()
    return [
        reverse("field_orders:cycle"),
        reverse("field_orders:cycle_progress", kwargs={"pk": run.pk}),
        reverse("field_orders:cut_lists"),
        reverse("field_orders:cut_list", kwargs={"pk": cut_list.pk}),
        reverse("field_orders:cut_list_pdf", kwargs={"pk": cut_list.pk, "contractor_id": contractor.pk}),
        reverse("field_orders:cut_list_xlsx", kwargs={"pk": cut_list.pk, "contractor_id": contractor.pk})
        + f"?cuadrilla={crew.pk}",
        reverse("field_orders:cut_notices", kwargs={"pk": cut_list.pk}),
        reverse("field_orders:policy"),
    ]


def test_pages_are_for_officer_supervisor_and_auditor_only(client, users, draft, contractor):
    run = DailyCycleRun.objects.create(day=DRAWN_ON, status=DailyCycleRun.Status.DONE)
    for url in page_urls(draft, contractor, run):
        client.logout()
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response["Location"], url
        for role in Role.values:
            client.force_login(users[role])
            response = client.get(url)
            expected = 200 if role in READERS else 403
            assert response.status_code == expected, f"{role} on {url}: {response.status_code}"


def test_only_the_supervisor_runs_releases_removes_and_edits(client, users, draft):
    line = draft.lines.filter(status=CutListLine.Status.PROPOSED).first()
    versions = FieldPolicyVersion.objects.count()
    posts = [
        (reverse("field_orders:cycle"), {"day": "2026-12-03"}),
        (reverse("field_orders:cut_list_release", kwargs={"pk": draft.pk}), {}),
        (reverse("field_orders:cut_line_remove", kwargs={"pk": line.pk}), {"reason": "visto en campo"}),
        (reverse("field_orders:policy"), {"reason": "x", "min_debt": "10,00"}),
    ]
    for url, data in posts:
        for role in sorted(set(Role.values) - WRITERS):
            client.force_login(users[role])
            assert client.post(url, data).status_code == 403, f"{role} on {url}"
    # Nothing changed for all those attempts.
    draft.refresh_from_db()
    line.refresh_from_db()
    assert draft.status == CutList.Status.DRAFT and line.status == CutListLine.Status.PROPOSED
    assert not DailyCycleRun.objects.exists() and FieldPolicyVersion.objects.count() == versions
    # The supervisor gets through (the release itself is tested below).
    client.force_login(users[S])
    response = client.post(posts[2][0], posts[2][1])
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.status == CutListLine.Status.REMOVED


def test_readers_see_no_write_controls(client_for, draft):
    page = client_for(O).get(reverse("field_orders:cut_list", kwargs={"pk": draft.pk})).content.decode()
    assert "Emitir lista" not in page and "Quitar" not in page
    page = client_for(S).get(reverse("field_orders:cut_list", kwargs={"pk": draft.pk})).content.decode()
    assert "Emitir lista" in page and "Quitar" in page
    assert "Ejecutar ciclo diario" not in client_for(A).get(reverse("field_orders:cycle")).content.decode()


# ---------------------------------------------------------------------------------------------
# Daily cycle from the page
# ---------------------------------------------------------------------------------------------


def test_cycle_page_runs_the_cycle_and_shows_the_result(
    client_for, zone, contractor, django_capture_on_commit_callbacks
):
    debtor(zone, "1", seq=1)
    debtor(zone, "2", seq=2, amount="20.00")  # below the minimum: excluded
    client = client_for(S)
    page = client.get(reverse("field_orders:cycle")).content.decode()
    assert f'value="{timezone.localdate():%Y-%m-%d}"' in page  # the date defaults to today
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("field_orders:cycle"), {"day": "2026-12-03"})
    run = DailyCycleRun.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"?ejecucion={run.pk}")
    assert run.status == DailyCycleRun.Status.DONE and run.step == run.total_steps
    cut_list = CutList.objects.get()
    assert run.cut_list == cut_list and cut_list.cut_date == CUT_DATE and cut_list.status == CutList.Status.DRAFT
    assert proposed_accounts(cut_list) == {"1"}
    assert run.result["lines"] == {"PROPOSED": 1, "EXCLUDED": 1}
    assert run.started_by.username == f"u_{S}"

    partial = client.get(reverse("field_orders:cycle_progress", kwargs={"pk": run.pk})).content.decode()
    assert "hx-trigger" not in partial  # finished: polling stops
    assert "En la lista: 1" in partial and "Excluida: 1" in partial
    assert reverse("field_orders:cut_list", kwargs={"pk": cut_list.pk}) in partial

    # Running it again for the same date gives the same list and creates nothing twice.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("field_orders:cycle"), {"day": "2026-12-03"})
    assert CutList.objects.count() == 1 and cut_list.lines.count() == 2
    assert DailyCycleRun.objects.filter(status=DailyCycleRun.Status.DONE).count() == 2


def test_a_running_cycle_polls_and_a_second_one_is_refused(client_for, zone, contractor):
    run = DailyCycleRun.objects.create(day=DRAWN_ON, status=DailyCycleRun.Status.RUNNING, step=1, message="Evaluando")
    client = client_for(S)
    partial = client.get(reverse("field_orders:cycle_progress", kwargs={"pk": run.pk})).content.decode()
    assert 'hx-trigger="every 1s"' in partial and "Evaluando" in partial
    response = client.post(reverse("field_orders:cycle"), {"day": "2026-12-03"}, follow=True)
    assert "Ya hay un ciclo diario en curso" in response.content.decode()
    assert DailyCycleRun.objects.count() == 1


def test_a_failed_cycle_is_shown_as_failed(
    client_for, zone, contractor, monkeypatch, django_capture_on_commit_callbacks
):
    def boom(**kwargs):
        raise services.FieldOrderError("No hay un día hábil de corte en los próximos 60 días: revise el calendario.")

    monkeypatch.setattr(services, "daily_cycle_run", boom)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(S).post(reverse("field_orders:cycle"), {"day": "2026-12-03"})
    run = DailyCycleRun.objects.get()
    assert run.status == DailyCycleRun.Status.FAILED and "día hábil de corte" in run.message


# ---------------------------------------------------------------------------------------------
# Review and release
# ---------------------------------------------------------------------------------------------


def test_list_page_groups_lines_and_shows_the_tabs(client_for, draft):
    page = client_for(O).get(reverse("field_orders:cut_list", kwargs={"pk": draft.pk})).content.decode()
    # Proposed lines in route order within the contractor and crew.
    assert page.index('data-account="A-MID"') < page.index('data-account="A-BIG"') < page.index('data-account="A-MID2"')
    assert "Espera: sin capacidad (1)" in page and 'data-account="A-SMALL"' in page
    assert "Electro Sur SRL" in page and "Redes Norte SRL" in page


def test_remove_a_line_needs_a_reason(client_for, draft):
    client = client_for(S)
    line = draft.lines.get(account__number="A-BIG")
    url = reverse("field_orders:cut_line_remove", kwargs={"pk": line.pk})
    page = client.post(url, {"reason": "  "}, follow=True).content.decode()
    line.refresh_from_db()
    assert line.status == CutListLine.Status.PROPOSED and "Indique por qué" in page
    client.post(url, {"reason": "Centro de salud, verificar"})
    line.refresh_from_db()
    assert line.status == CutListLine.Status.REMOVED and line.removed_reason == "Centro de salud, verificar"
    page = client.get(reverse("field_orders:cut_list", kwargs={"pk": draft.pk})).content.decode()
    assert "Quitadas (1)" in page and "Centro de salud, verificar" in page


def test_release_creates_orders_and_a_second_release_changes_nothing(client_for, draft):
    client = client_for(S)
    url = reverse("field_orders:cut_list_release", kwargs={"pk": draft.pk})
    page = client.post(url, follow=True).content.decode()
    draft.refresh_from_db()
    assert draft.status == CutList.Status.RELEASED and draft.number.startswith("LC-2026-")
    assert FieldOrder.objects.count() == 4  # three of Electro Sur, one of Redes Norte
    assert f"Lista {draft.number} emitida: 4 órdenes de corte" in page
    number, released_at = draft.number, draft.released_at

    page = client.post(url, follow=True).content.decode()
    assert "La lista ya fue emitida." in page
    draft.refresh_from_db()
    assert (draft.number, draft.released_at, FieldOrder.objects.count()) == (number, released_at, 4)
    # Released: no more removing lines, and the page shows the orders.
    line = draft.lines.get(account__number="A-BIG")
    page = client.post(reverse("field_orders:cut_line_remove", kwargs={"pk": line.pk}), {"reason": "x"}, follow=True)
    line.refresh_from_db()
    assert line.status == CutListLine.Status.PROPOSED and "anule la orden" in page.content.decode()
    assert line.order.number in page.content.decode()


def test_lists_page_counts_lines_and_orders(client_for, draft, users):
    services.cut_list_release(actor=users[S], cut_list_id=draft.pk)
    order = FieldOrder.objects.get(account__number="A-BIG")
    services.order_record_result(actor=None, order_id=order.pk, executed=True)
    page = client_for(A).get(reverse("field_orders:cut_lists")).content.decode()
    draft.refresh_from_db()
    assert draft.number in page
    row = page[page.index(draft.number) :]
    row = row[: row.index("</tr>")]
    cells = [c.split(">")[-1] for c in row.split("</td>")][1:-1]
    # status, proposed, deferred, excluded, removed, executed, pending, not executed, cancelled
    assert cells[1:] == ["4", "1", "0", "0", "1", "3", "0", "0"]


def test_notice_deadline_is_business_days_before_the_cut(client_for, draft, users):
    # Drawn on Thursday 03/12 with 3 business days of notice: the cut is on Tuesday 08/12 and
    # the notices, printed the day the list is drawn, are due by then.
    assert draft.cut_date == date(2026, 12, 8)
    assert documents.notice_deadline(draft) == DRAWN_ON
    page = client_for(O).get(reverse("field_orders:cut_list", kwargs={"pk": draft.pk})).content.decode()
    assert "entregar hasta el <strong>03/12/2026</strong>" in page
    services.field_policy_update(actor=users[S], terms=FieldPolicy(notice_business_days=1), reason="prueba")
    draft.refresh_from_db()
    assert documents.notice_deadline(draft) == DRAWN_ON  # the list keeps its policy version
    # With one day of notice the next list can be for Monday 07/12 (Friday 04/12 is not a cut day).
    sooner = services.cut_list_draw(drawn_on=DRAWN_ON)
    assert sooner.cut_date == date(2026, 12, 7)
    assert documents.notice_deadline(sooner) == date(2026, 12, 4)


# ---------------------------------------------------------------------------------------------
# Documents through the pages
# ---------------------------------------------------------------------------------------------


def xlsx_accounts(response) -> list[str]:
    content = b"".join(response.streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows.index(next(r for r in rows if r and r[0] == "Orden"))
    assert list(rows[header][-3:]) == ["Hora", "Resultado", "Firma"]
    column = rows[header].index("Cuenta")
    return [r[column] for r in rows[header + 1 :] if r and r[column]]


def test_xlsx_has_exactly_the_proposed_lines_of_the_contractor_and_crew(client_for, draft, contractor):
    client = client_for(O)
    url = reverse("field_orders:cut_list_xlsx", kwargs={"pk": draft.pk, "contractor_id": contractor.pk})
    assert xlsx_accounts(client.get(url)) == ["A-MID", "A-BIG", "A-MID2"]  # route order, no deferred, no other
    crew_1, crew_2 = contractor.crews.order_by("name")
    assert xlsx_accounts(client.get(f"{url}?cuadrilla={crew_1.pk}")) == ["A-MID", "A-BIG"]
    assert xlsx_accounts(client.get(f"{url}?cuadrilla={crew_2.pk}")) == ["A-MID2"]
    assert proposed_accounts(draft, crew=crew_2) == {"A-MID2"}
    # A crew of another contractor is not found.
    foreign = Crew.objects.exclude(contractor=contractor).get()
    assert client.get(f"{url}?cuadrilla={foreign.pk}").status_code == 404


def test_pdfs_through_the_pages(client_for, draft, contractor):
    client = client_for(S)
    url = reverse("field_orders:cut_list_pdf", kwargs={"pk": draft.pk, "contractor_id": contractor.pk})
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "no-store" in response["Cache-Control"]
    response = client.get(reverse("field_orders:cut_notices", kwargs={"pk": draft.pk}))
    assert response.content.startswith(b"%PDF")


def test_a_large_pdf_is_rendered_in_the_background(
    client_for, draft, contractor, users, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(documents, "SYNC_MAX_LINES", {documents.Kind.SHEET: 1, documents.Kind.NOTICES: 1})
    services.cut_list_release(actor=users[S], cut_list_id=draft.pk)
    draft.refresh_from_db()
    client = client_for(S)
    url = reverse("field_orders:cut_list_pdf", kwargs={"pk": draft.pk, "contractor_id": contractor.pk})
    detail = reverse("field_orders:cut_list", kwargs={"pk": draft.pk})

    # Not rendered yet: the task is queued and the page says so (the task waits for the commit).
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(detail)
    assert len(queued) == 1
    page = client.get(detail).content.decode()
    assert "generando" in page and 'hx-trigger="every 3s"' in page
    for callback in queued:
        callback()
    stored = documents.stored_pdf(documents.Kind.SHEET, draft, contractor, None)
    assert stored.is_ready and not stored.pending_marker.exists()
    assert "PDF (listo)" in client.get(detail).content.decode()
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")

    # A payment cancels an order: the stored file no longer matches and is not served.
    order = FieldOrder.objects.filter(contractor=contractor).first()
    services.order_cancel(actor=users[S], order_id=order.pk, reason="pagó")
    assert FieldOrder.objects.get(pk=order.pk).status == OrderStatus.CANCELLED
    assert not documents.stored_pdf(documents.Kind.SHEET, draft, contractor, None).is_ready
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(url).status_code == 302


# ---------------------------------------------------------------------------------------------
# Policy
# ---------------------------------------------------------------------------------------------


def test_policy_page_shows_and_versions_the_rules(client_for):
    client = client_for(S)
    page = client.get(reverse("field_orders:policy")).content.decode()
    assert "Deuda mínima para cortar (Bs)" in page and "Bs 50,00" in page
    data = {
        "min_unpaid_invoices": "2",
        "min_debt": "80,00",
        "notice_business_days": "2",
        "no_cuts_on_fridays": "on",
        "cutoff_hour": "15",
        "next_day_deadline_hour": "12",
        "max_reconnection_hours": "24",
        "reconnection_charge": "38,00",
    }
    before = FieldPolicyVersion.objects.count()
    page = client.post(reverse("field_orders:policy"), data).content.decode()
    assert FieldPolicyVersion.objects.count() == before and "Este campo es obligatorio" in page  # no reason
    response = client.post(reverse("field_orders:policy"), {**data, "reason": "Resolución interna 12/2026"})
    assert response.status_code == 302
    terms = services.selectors.field_policy_terms()
    assert str(terms.min_debt) == "80.00" and terms.cutoff_hour == 15
    assert terms.no_cuts_on_fridays is True and terms.no_cuts_before_holidays is False
    page = client_for(A).get(reverse("field_orders:policy")).content.decode()
    assert "Resolución interna 12/2026" in page and "Bs 80,00" in page and "policy-form" not in page


def test_policy_rules_the_service_refuses_are_shown(client_for):
    data = {
        "min_unpaid_invoices": "0",
        "min_debt": "50",
        "notice_business_days": "3",
        "cutoff_hour": "16",
        "next_day_deadline_hour": "12",
        "max_reconnection_hours": "24",
        "reconnection_charge": "38",
        "reason": "prueba",
    }
    before = FieldPolicyVersion.objects.count()
    page = client_for(S).post(reverse("field_orders:policy"), data).content.decode()
    assert "al menos 1" in page and FieldPolicyVersion.objects.count() == before
