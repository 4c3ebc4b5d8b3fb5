from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from mora.agreements import selectors
from mora.agreements.domain.states import AgreementStatus as S
from mora.core.roles import Role
from tests.agreements.helpers import create_and_sign

pytestmark = pytest.mark.django_db


def test_daily_cycle_marks_breach_once(debtor, users):
    agreement = create_and_sign(debtor, users[Role.OFFICER])
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
