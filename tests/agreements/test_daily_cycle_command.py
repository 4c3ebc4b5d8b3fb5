from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from mora.agreements import selectors
from mora.agreements.domain.states import AgreementStatus as S
from tests.agreements.test_services_flow import debtor, pay, quote_request  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def test_daily_cycle_marks_breach_once(debtor, users):  # noqa: F811
    from django.utils import timezone

    from mora.agreements import services
    from mora.core.roles import Role

    officer = users[Role.OFFICER]
    today = timezone.localdate()
    agreement = services.agreement_create(actor=officer, account=debtor, request=quote_request())
    pay(debtor, "180.00", "R-1")
    services.agreement_sign(
        actor=officer,
        agreement_id=agreement.pk,
        signed_on=today,
        signer_name="T",
        signer_id_number="1",
        receipt_source="CAJA",
        receipt_number="R-1",
    )
    first = selectors.agreement_schedule(agreement=agreement).get(number=1)
    day = (first.due_date + timedelta(days=agreement.grace_days + 1)).isoformat()
    out = StringIO()
    call_command("run_daily_cycle", "--date", day, stdout=out)
    assert "Convenios Incumplido: 1" in out.getvalue()
    agreement.refresh_from_db()
    assert agreement.status == S.BREACHED
    out = StringIO()
    call_command("run_daily_cycle", "--date", day, stdout=out)
    assert "ninguno cambió de estado" in out.getvalue()


def test_bad_date_is_a_clear_error():
    with pytest.raises(CommandError, match="Fecha inválida"):
        call_command("run_daily_cycle", "--date", "31/12/2026")
