from django.urls import path

from helpline.mail.views import participants

app_name = "mail"
urlpatterns = [
    path("tickets/<int:number>/cc/", participants.cc_add, name="cc_add"),
    path("tickets/<int:number>/cc/<int:pk>/remove/", participants.cc_remove, name="cc_remove"),
]
