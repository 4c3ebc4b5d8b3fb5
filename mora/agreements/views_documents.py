"""The agreement's documents as PDF, shown inline in the browser to be printed and signed."""

from django.http import Http404, HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from mora.core.access import role_required
from mora.core.roles import AGREEMENT_READERS

from . import documents, selectors


@require_GET
@role_required(*AGREEMENT_READERS)
def agreement_pdf(request, number):
    agreement = selectors.agreement_get(number=number)
    if agreement is None:
        raise Http404("No existe ese convenio.")
    return _pdf_response(documents.agreement_pdf(agreement), filename=f"{agreement.number}.pdf")


@require_GET
@role_required(*AGREEMENT_READERS)
def addendum_pdf(request, number):
    reschedule = documents.addendum_get(number=number)
    if reschedule is None:
        raise Http404("No existe esa adenda.")
    return _pdf_response(documents.addendum_pdf(reschedule), filename=f"{reschedule.number}.pdf")


def _pdf_response(content: bytes, *, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(as_attachment=False, filename=filename)
    # The documents carry the customer's CI and debts: no shared cache may keep a copy.
    patch_cache_control(response, private=True, no_store=True)
    return response
