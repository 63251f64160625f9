from django.urls import path

from helpline.surveys import views

app_name = "surveys"
urlpatterns = [
    path("<str:token>/", views.answer, name="answer"),
    path("<str:token>/rate/", views.rate, name="rate"),
]
