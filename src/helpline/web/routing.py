from django.urls import path

websocket_urlpatterns: list = []  # filled by the workspace consumers
