"""ASGI entry point: HTTP through Django, WebSockets through Channels."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpline.settings")

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.asgi import get_asgi_application  # noqa: E402

django_application = get_asgi_application()

from helpline.chat.routing import ChatWebsocketRouter  # noqa: E402
from helpline.core.realtime import RecordServerLoop  # noqa: E402
from helpline.portal.routing import websocket_urlpatterns as portal_websockets  # noqa: E402
from helpline.web.routing import websocket_urlpatterns as desk_websockets  # noqa: E402

application = RecordServerLoop(
    threads=settings.SYNC_THREADS,
    switch_interval_ms=settings.SERVER_SWITCH_INTERVAL_MS,
    gc_policy=settings.SERVER_GC_POLICY,
    app=ProtocolTypeRouter(
        {
            "http": django_application,
            "websocket": ChatWebsocketRouter(
                AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter([*desk_websockets, *portal_websockets])))
            ),
        }
    ),
)
