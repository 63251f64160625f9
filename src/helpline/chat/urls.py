from django.urls import path

from helpline.chat import agent_views, views

app_name = "chat"
urlpatterns = [
    path("widget.js", views.widget_script, name="widget"),
    path("config/", views.widget_config, name="config"),
    path("session/", views.visitor_session, name="session"),
    path("prechat/", views.prechat, name="prechat"),
    path("upload/", views.upload, name="upload"),
    path("offline/", views.offline, name="offline"),
    path("transcript/", views.transcript, name="transcript"),
    path("files/<str:public_id>/", views.attachment, name="file"),
    path("demo/", views.demo, name="demo"),
    path("status/", views.agent_status, name="status"),
    path("agent/<int:number>/context/", agent_views.context_panel, name="agent_context"),
    path("agent/<int:number>/transfer/", agent_views.transfer, name="agent_transfer"),
]
