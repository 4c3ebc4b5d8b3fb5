"""Every page against every role: the roles allowed get 200, the others 403, anonymous users
go to the login page. The expected table is written out here on purpose, independent of the
tuples the views use, so a change of access in the code fails this test."""

import pytest
from django.urls import reverse

from mora.core.roles import Role
from tests.factories import make_account

pytestmark = pytest.mark.django_db

# One letter per role keeps the table readable.
O, S, C, K, A, D = Role.OFFICER, Role.SUPERVISOR, Role.CASHIER, Role.COORDINATOR, Role.AUDITOR, Role.ADMIN  # noqa: E741

PAGES = [
    ("billing:dashboard", {}, {O, S, A}),
    ("billing:arrears_list", {}, {O, S, A, C}),
    ("billing:arrears_export", {}, {O, S, A, C}),
    ("customers:search", {}, {O, S, A, C}),
    ("customers:account_detail", {"number": "ACCOUNT"}, {O, S, A, C}),
    ("calendar", {}, {O, S, A, D}),
    ("audit_log", {}, {S, A, D}),
    ("billing:import_list", {}, {S, A, D}),
    ("billing:import_upload", {}, {S, D}),
    ("billing:payment_new", {}, {C, S}),
    ("agreements:list", {}, {O, S, A, C}),
    ("agreements:approvals", {}, {S}),
    ("agreements:policies", {}, {O, S, A, D}),
    ("agreements:policy_edit", {"kind": "ST"}, {S, D}),
    ("agreements:billing_export", {}, {S, A, D}),
    ("agreements:quote", {"account_number": "ACCOUNT"}, {O, S}),
    ("field_orders:cycle", {}, {O, S, A}),
    ("field_orders:cut_lists", {}, {O, S, A}),
    ("field_orders:policy", {}, {O, S, A}),
    ("field_orders:orders", {}, {O, S, A}),
    ("field_orders:sla", {}, {O, S, A}),
    ("field_orders:contractors", {}, {S, D}),
    ("field_orders:my_orders", {}, {K}),
    ("integrations:clients", {}, {D}),
    ("analytics:report", {}, {S, A}),
]

POSTS = [
    ("customers:hold_create", {"number": "ACCOUNT"}, {O, S}),
    ("customers:complaint_register", {"number": "ACCOUNT"}, {O, S}),
]


def resolve(name, kwargs, account):
    return reverse(name, kwargs={k: account.number if v == "ACCOUNT" else v for k, v in kwargs.items()})


@pytest.mark.parametrize(("name", "kwargs", "allowed"), PAGES, ids=[p[0] for p in PAGES])
def test_pages_refuse_roles_that_must_not_see_them(client, users, name, kwargs, allowed):
    url = resolve(name, kwargs, make_account())
    response = client.get(url)
    assert response.status_code == 302 and reverse("login") in response["Location"]
    for role in Role.values:
        client.force_login(users[role])
        response = client.get(url)
        expected = 200 if role in allowed else 403
        assert response.status_code == expected, f"{role} on {name}: {response.status_code}"


@pytest.mark.parametrize(("name", "kwargs", "allowed"), POSTS, ids=[p[0] for p in POSTS])
def test_writes_refuse_roles_that_must_not_change_data(client, users, name, kwargs, allowed):
    url = resolve(name, kwargs, make_account())
    for role in Role.values:
        client.force_login(users[role])
        response = client.post(url, {})
        # Allowed roles reach the view (an empty form redirects back with an error message).
        expected = 302 if role in allowed else 403
        assert response.status_code == expected, f"{role} on {name}: {response.status_code}"


def test_home_sends_each_role_to_its_page(client, users):
    expected = {
        O: reverse("billing:dashboard"),
        S: reverse("billing:dashboard"),
        A: reverse("billing:dashboard"),
        C: reverse("customers:search"),
        D: reverse("billing:import_list"),
    }
    for role, target in expected.items():
        client.force_login(users[role])
        assert client.get(reverse("home"))["Location"] == target
    client.force_login(users[K])
    assert client.get(reverse("home"))["Location"] == reverse("field_orders:my_orders")


def test_menu_shows_only_what_the_role_may_open(client, users):
    client.force_login(users[C])
    html = client.get(reverse("customers:search")).content.decode()
    assert f'href="{reverse("billing:arrears_list")}"' in html
    assert f'href="{reverse("billing:dashboard")}"' not in html
    assert f'href="{reverse("audit_log")}"' not in html


def test_calendar_with_a_bad_year_shows_this_year(client_for):
    response = client_for(O).get(reverse("calendar"), {"anio": "abc"})
    assert response.status_code == 200
