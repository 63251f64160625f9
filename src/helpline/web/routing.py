websocket_urlpatterns: list = []  # filled by the workspace consumers
