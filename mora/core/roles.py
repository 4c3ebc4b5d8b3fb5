"""The roles of the DESIGN brief. A user's roles are the Django groups of these names; every
view declares which roles may use it (see `mora.core.access.role_required`)."""

from django.db import models


class Role(models.TextChoices):
    OFFICER = "oficial", "Oficial de mora"
    SUPERVISOR = "jefe", "Jefe de la Unidad"
    CASHIER = "cajero", "Cajero"
    COORDINATOR = "coordinador", "Coordinador de microempresa"
    AUDITOR = "auditor", "Auditor"
    ADMIN = "administrador", "Administrador"


def user_roles(user) -> set[str]:
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_mora_roles", None)
    if cached is None:
        cached = set(user.groups.filter(name__in=Role.values).values_list("name", flat=True))
        if user.is_superuser:
            cached.add(Role.ADMIN)
        user._mora_roles = cached
    return cached


def has_role(user, *roles: str) -> bool:
    return bool(user_roles(user) & set(roles))


# Who may see what. Views use these tuples so the access table reads in one place.
PORTFOLIO_READERS = (Role.OFFICER, Role.SUPERVISOR, Role.AUDITOR)
ACCOUNT_READERS = (Role.OFFICER, Role.SUPERVISOR, Role.AUDITOR, Role.CASHIER)
HOLD_WRITERS = (Role.OFFICER, Role.SUPERVISOR)
IMPORT_WRITERS = (Role.SUPERVISOR, Role.ADMIN)
IMPORT_READERS = (Role.SUPERVISOR, Role.ADMIN, Role.AUDITOR)
AUDIT_READERS = (Role.SUPERVISOR, Role.AUDITOR, Role.ADMIN)
CALENDAR_READERS = (Role.OFFICER, Role.SUPERVISOR, Role.AUDITOR, Role.ADMIN)
CALENDAR_WRITERS = (Role.SUPERVISOR, Role.ADMIN)
AGREEMENT_READERS = (Role.OFFICER, Role.SUPERVISOR, Role.AUDITOR, Role.CASHIER)
AGREEMENT_WRITERS = (Role.OFFICER, Role.SUPERVISOR)
AGREEMENT_APPROVERS = (Role.SUPERVISOR,)
POLICY_READERS = (Role.OFFICER, Role.SUPERVISOR, Role.AUDITOR, Role.ADMIN)
POLICY_WRITERS = (Role.SUPERVISOR, Role.ADMIN)
PAYMENT_WRITERS = (Role.CASHIER, Role.SUPERVISOR)
BILLING_EXPORT_READERS = (Role.SUPERVISOR, Role.ADMIN, Role.AUDITOR)
FIELD_READERS = (Role.OFFICER, Role.SUPERVISOR, Role.AUDITOR)
FIELD_SUPERVISORS = (Role.SUPERVISOR,)
CONTRACTOR_ADMINS = (Role.ADMIN, Role.SUPERVISOR)
COORDINATORS = (Role.COORDINATOR,)
INTEGRATION_ADMINS = (Role.ADMIN,)
