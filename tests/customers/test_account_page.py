from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from mora.core.models import AuditEvent
from mora.core.roles import Role
from mora.customers.models import Complaint, ComplaintStatus, Hold
from tests.factories import make_account, make_invoice

pytestmark = pytest.mark.django_db


def test_account_page_shows_holder_invoices_and_aging(client_for):
    today = timezone.localdate()
    account = make_account(
        number="30000001", tarifa_dignidad=True, is_protected=True, protected_reason="Centro de salud"
    )
    make_invoice(account=account, due_date=today - timedelta(days=40), amount="1234.50", number="F-1")
    html = client_for(Role.CASHIER).get(reverse("customers:account_detail", args=["30000001"])).content.decode()
    assert account.customer.name in html
    assert "F-1" in html
    assert '<span id="account-overdue">Bs 1.234,50</span>' in html
    assert "Protegido: Centro de salud" in html
    # A cashier reads but cannot place holds.
    assert "Registrar retención" not in html


def test_unknown_account_is_404(client_for):
    assert client_for(Role.OFFICER).get(reverse("customers:account_detail", args=["nope"])).status_code == 404


def test_search_goes_straight_to_a_single_match(client_for):
    make_account(number="30000002")
    response = client_for(Role.CASHIER).get(reverse("customers:search"), {"q": "30000002"})
    assert response["Location"] == reverse("customers:account_detail", args=["30000002"])


def test_hold_lifecycle_is_audited_and_on_the_timeline(client_for, users):
    account = make_account(number="30000003")
    client = client_for(Role.OFFICER)
    today = timezone.localdate()
    url = reverse("customers:hold_create", args=[account.number])
    client.post(
        url,
        {"reason": "Familia con paciente en tratamiento", "starts_on": today, "expires_on": today + timedelta(days=30)},
    )
    hold = Hold.objects.get(account=account)
    assert hold.created_by == users[Role.OFFICER]
    assert hold.is_active_on(today)
    # A hold longer than the maximum is refused with a message and nothing is created.
    response = client.post(
        url, {"reason": "x", "starts_on": today, "expires_on": today + timedelta(days=200)}, follow=True
    )
    assert "no puede durar más de 90 días" in response.content.decode()
    assert Hold.objects.filter(account=account).count() == 1

    client.post(reverse("customers:hold_release", args=[account.number, hold.pk]), {"reason": "Pagó la deuda"})
    hold.refresh_from_db()
    assert hold.released_on == today and hold.release_reason == "Pagó la deuda"
    actions = list(AuditEvent.objects.filter(account_id=account.pk).values_list("action", flat=True))
    assert sorted(actions) == ["hold.created", "hold.released"]
    html = client.get(reverse("customers:account_detail", args=[account.number])).content.decode()
    assert "Retención levantada" in html

    # Releasing twice is refused.
    response = client.post(
        reverse("customers:hold_release", args=[account.number, hold.pk]), {"reason": "otra"}, follow=True
    )
    assert "ya fue levantada" in response.content.decode()


def test_complaint_register_and_resolve(client_for):
    account = make_account(number="30000004")
    client = client_for(Role.SUPERVISOR)
    client.post(reverse("customers:complaint_register", args=[account.number]), {"description": "Lectura errónea"})
    complaint = Complaint.objects.get(account=account)
    assert complaint.number == f"REC-{timezone.localdate().year}-00001"
    assert complaint.status == ComplaintStatus.PENDING
    client.post(
        reverse("customers:complaint_resolve", args=[account.number, complaint.pk]),
        {"reason": "Se corrigió la lectura"},
    )
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.RESOLVED
    assert AuditEvent.objects.filter(
        account_id=account.pk, action="complaint.resolved", reason="Se corrigió la lectura"
    ).exists()


def test_account_page_lists_its_field_orders(client_for):
    from mora.field_orders.models import Contractor, FieldOrder, OrderKind

    account = make_account(number="30000009")
    contractor = Contractor.objects.create(name="Electro Sur SRL")
    FieldOrder.objects.create(
        number="OR-2026-000009",
        kind=OrderKind.RECONNECT,
        account=account,
        contractor=contractor,
        scheduled_for=timezone.localdate(),
    )
    html = client_for(Role.OFFICER).get(reverse("customers:account_detail", args=[account.number])).content.decode()
    assert "OR-2026-000009" in html and "Reconexión" in html and "Electro Sur SRL" in html
