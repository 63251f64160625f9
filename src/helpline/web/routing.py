"""WebSocket routes of the agent workspace (consumers in `helpline.web.consumers`)."""

from django.urls import path, re_path

from helpline.web.consumers import DeskConsumer, TicketConsumer

websocket_urlpatterns = [
    path("ws/desk/", DeskConsumer.as_asgi()),
    re_path(r"^ws/tickets/(?P<public_id>[A-Za-z0-9_-]{1,64})/$", TicketConsumer.as_asgi()),
]
