from django.urls import path
from django.views.generic import RedirectView

from helpline.web.views import attachments, customers, inbox, new_ticket, search, tickets

app_name = "web"
urlpatterns = [
    path("", RedirectView.as_view(pattern_name="web:tickets", query_string=True), name="inbox"),
    path("tickets/", inbox.ticket_list, name="tickets"),
    path("tickets/counts/", inbox.view_counts, name="tickets_counts"),
    path("tickets/bulk/", inbox.bulk_update, name="tickets_bulk"),
    path("tickets/views/", inbox.save_view, name="view_save"),
    path("tickets/views/<int:view_id>/delete/", inbox.delete_view, name="view_delete"),
    path("tickets/new/", new_ticket.new_ticket, name="ticket_new"),
    path("tickets/<int:number>/", tickets.ticket_detail, name="ticket"),
    path("tickets/<int:number>/row/", inbox.ticket_row, name="ticket_row"),
    path("tickets/<int:number>/live/", tickets.ticket_live, name="ticket_live"),
    path("tickets/<int:number>/reply/", tickets.ticket_reply, name="ticket_reply"),
    path("tickets/<int:number>/properties/", tickets.ticket_properties, name="ticket_properties"),
    path("tickets/<int:number>/merge/", tickets.ticket_merge, name="ticket_merge"),
    path("tickets/<int:number>/link/", tickets.ticket_link, name="ticket_link"),
    path("tickets/<int:number>/unlink/<int:other>/", tickets.ticket_unlink, name="ticket_unlink"),
    path("messages/<str:public_id>/", tickets.message_fragment, name="message"),
    path("attachments/<str:public_id>/", attachments.attachment_download, name="attachment"),
    path("customers/", customers.customer_list, name="customers"),
    path("customers/<str:public_id>/", customers.customer_detail, name="customer"),
    path("customers/<str:public_id>/profile/", customers.customer_profile, name="customer_profile"),
    path("customers/<str:public_id>/identities/", customers.customer_identity_add, name="customer_identity_add"),
    path(
        "customers/<str:public_id>/identities/<int:identity_id>/remove/",
        customers.customer_identity_remove,
        name="customer_identity_remove",
    ),
    path("customers/<str:public_id>/organizations/", customers.customer_organization_add, name="customer_org_add"),
    path(
        "customers/<str:public_id>/organizations/<str:org_id>/remove/",
        customers.customer_organization_remove,
        name="customer_org_remove",
    ),
    path("customers/<str:public_id>/greeting/", customers.customer_greeting, name="customer_greeting"),
    path("customers/<str:public_id>/attributes/", customers.customer_attributes, name="customer_attributes"),
    path("customers/<str:public_id>/notes/", customers.customer_note, name="customer_note"),
    path("customers/<str:public_id>/merge/", customers.customer_merge, name="customer_merge"),
    path("organizations/<str:public_id>/", customers.organization_detail, name="organization"),
    path("search/", search.search, name="search"),
]
