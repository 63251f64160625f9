websocket_urlpatterns: list = []  # the portal's live-update consumer
