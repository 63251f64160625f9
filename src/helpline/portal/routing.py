from django.urls import path

from helpline.portal.consumers import PortalTicketConsumer

websocket_urlpatterns = [
    path("ws/portal/<str:public_id>/", PortalTicketConsumer.as_asgi()),
]
