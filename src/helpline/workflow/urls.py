from django.urls import path

from helpline.workflow import personal_macros, views
from helpline.workflow.admin_views import follow_up_settings

app_name = "workflow"
urlpatterns = [
    path("tickets/<int:number>/macros/<int:pk>/apply/", views.macro_apply, name="macro_apply"),
    path("tickets/<int:number>/follow-ups/", views.follow_up_create, name="follow_up_create"),
    path("follow-ups/<int:pk>/done/", views.follow_up_done, name="follow_up_done"),
    path("tickets/<int:number>/calls/", views.call_log_create, name="call_log_create"),
    path("tickets/<int:number>/greeting/", views.greeting_opt_in, name="greeting_opt_in"),
    path("macros/", personal_macros.my_macros, name="my_macros"),
    path("macros/new/", personal_macros.my_macro_edit, name="my_macro_create"),
    path("macros/<int:pk>/", personal_macros.my_macro_edit, name="my_macro_edit"),
    path("macros/<int:pk>/toggle/", personal_macros.my_macro_toggle, name="my_macro_toggle"),
    path("notifications/", views.notifications_page, name="notifications"),
    path("notifications/count/", views.notifications_count, name="notifications_count"),
    path("settings/follow-ups/", follow_up_settings.settings_page, name="follow_up_settings"),
]
