from django.urls import path

from helpline.messaging import views

app_name = "messaging"
urlpatterns = [
    path("media/<str:token>/", views.media, name="media"),
    path("<str:provider>/<str:public_id>/", views.webhook, name="webhook"),
    path("<str:provider>/<str:public_id>/status/", views.status_callback, name="status"),
]
