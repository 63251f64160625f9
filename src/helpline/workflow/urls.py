from django.urls import path

from helpline.workflow import views

app_name = "workflow"
urlpatterns = [
    path("tickets/<int:number>/macros/<int:pk>/apply/", views.macro_apply, name="macro_apply"),
]
