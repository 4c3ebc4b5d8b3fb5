from django.urls import path

from . import views_admin, views_coordinator, views_lists, views_sla

app_name = "field_orders"
urlpatterns = [
    # Supervisor: daily cycle, cut lists, documents.
    path("ciclo/", views_lists.cycle, name="cycle"),
    path("ciclo/<int:pk>/progreso/", views_lists.cycle_progress, name="cycle_progress"),
    path("listas/", views_lists.cut_lists, name="cut_lists"),
    path("listas/<int:pk>/", views_lists.cut_list_detail, name="cut_list"),
    path("listas/<int:pk>/emitir/", views_lists.cut_list_release, name="cut_list_release"),
    path("listas/lineas/<int:pk>/quitar/", views_lists.cut_line_remove, name="cut_line_remove"),
    path("listas/<int:pk>/microempresa/<int:contractor_id>/lista.pdf", views_lists.cut_list_pdf, name="cut_list_pdf"),
    path(
        "listas/<int:pk>/microempresa/<int:contractor_id>/lista.xlsx", views_lists.cut_list_xlsx, name="cut_list_xlsx"
    ),
    path("listas/<int:pk>/avisos.pdf", views_lists.cut_notices_pdf, name="cut_notices"),
    path("politica/", views_lists.policy, name="policy"),
    # Orders.
    path("ordenes/", views_coordinator.orders, name="orders"),
    path("ordenes/<str:number>/", views_coordinator.order_detail, name="order_detail"),
    path("ordenes/<str:number>/anular/", views_coordinator.order_cancel, name="order_cancel"),
    path("ordenes/<str:number>/resultado/", views_coordinator.order_result, name="order_result"),
    # Coordinator (phone).
    path("mis-ordenes/", views_coordinator.my_orders, name="my_orders"),
    path("mis-ordenes/lista/", views_coordinator.my_orders_partial, name="my_orders_partial"),
    # SLA board.
    path("sla/", views_sla.sla_board, name="sla"),
    path("sla/exportar/", views_sla.sla_export, name="sla_export"),
    # Administrator: contractors, crews, coordinators.
    path("microempresas/", views_admin.contractors, name="contractors"),
    path("microempresas/nueva/", views_admin.contractor_edit, name="contractor_new"),
    path("microempresas/<int:pk>/", views_admin.contractor_edit, name="contractor_edit"),
]
