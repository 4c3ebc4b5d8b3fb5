from datetime import date

from django.db.models import Q, QuerySet

from mora.core.models import AuditEvent

from .models import Account, Complaint, ComplaintStatus, Hold


def account_search(*, text: str) -> QuerySet[Account]:
    """By account number (prefix), holder's CI (exact), holder's name or meter (contains)."""
    text = text.strip()
    accounts = Account.objects.select_related("customer", "zone__system", "route")
    if not text:
        return accounts.none()
    return accounts.filter(
        Q(number__startswith=text)
        | Q(customer__id_number=text)
        | Q(customer__name__icontains=text)
        | Q(meter_number=text)
    ).order_by("number")


def account_get(*, number: str) -> Account | None:
    return Account.objects.select_related("customer", "zone__system", "route").filter(number=number).first()


def account_holds(*, account: Account) -> QuerySet[Hold]:
    return Hold.objects.filter(account=account).select_related("created_by", "released_by")


def account_active_holds(*, account: Account, today: date) -> QuerySet[Hold]:
    return account_holds(account=account).filter(released_on__isnull=True, starts_on__lte=today, expires_on__gte=today)


def account_complaints(*, account: Account) -> QuerySet[Complaint]:
    return Complaint.objects.filter(account=account)


def account_has_pending_complaint(*, account: Account) -> bool:
    return Complaint.objects.filter(account=account, status=ComplaintStatus.PENDING).exists()


def account_timeline(*, account: Account, limit: int = 100) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(account_id=account.pk).select_related("actor")[:limit]
