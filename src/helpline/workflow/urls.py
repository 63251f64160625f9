from django.urls import path

from helpline.workflow import views

app_name = "workflow"
urlpatterns = [
    path("tickets/<int:number>/macros/<int:pk>/apply/", views.macro_apply, name="macro_apply"),
    path("tickets/<int:number>/follow-ups/", views.follow_up_create, name="follow_up_create"),
    path("follow-ups/<int:pk>/done/", views.follow_up_done, name="follow_up_done"),
]
