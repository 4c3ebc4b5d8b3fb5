from django.urls import path

from . import views_detail, views_documents, views_export, views_policy, views_quote

app_name = "agreements"
urlpatterns = [
    path("", views_detail.agreement_list, name="list"),
    path("exportar/", views_detail.agreement_list_export, name="export"),
    path("aprobaciones/", views_detail.approvals, name="approvals"),
    path("politicas/", views_policy.policy_list, name="policies"),
    path("politicas/<str:kind>/editar/", views_policy.policy_edit, name="policy_edit"),
    path("exportar-facturacion/", views_export.billing_export, name="billing_export"),
    path("nuevo/<str:account_number>/", views_quote.quote, name="quote"),
    path("adendas/<str:number>.pdf", views_documents.addendum_pdf, name="addendum_pdf"),
    path("<str:number>/", views_detail.agreement_detail, name="detail"),
    path("<str:number>/documento.pdf", views_documents.agreement_pdf, name="document_pdf"),
    path("<str:number>/firmado/", views_detail.signature_scan, name="signature_scan"),
    path("<str:number>/aprobar/", views_detail.approve, name="approve"),
    path("<str:number>/rechazar/", views_detail.reject, name="reject"),
    path("<str:number>/firmar/", views_detail.sign, name="sign"),
    path("<str:number>/anular/", views_detail.cancel, name="cancel"),
    path("<str:number>/reprogramar/", views_detail.reschedule, name="reschedule"),
    path("<str:number>/reprogramaciones/<int:pk>/decidir/", views_detail.reschedule_decide, name="reschedule_decide"),
    path("<str:number>/reprogramaciones/<int:pk>/firmar/", views_detail.reschedule_sign, name="reschedule_sign"),
]
