from django.urls import path

from helpline.portal import feedback_views
from helpline.portal.views import embed_script, profile, request_form, sign_in, tickets

app_name = "portal"
urlpatterns = [
    path("", tickets.ticket_list, name="tickets"),
    path("new/", request_form.new_request, name="new"),
    path("feedback/", feedback_views.feedback, name="feedback"),
    path("new/received/", request_form.request_received, name="request_received"),
    path("embed/", request_form.embed, name="embed"),
    path("embed/received/", request_form.embed_received, name="embed_received"),
    path("embed/help/", embed_script.embed_help, name="embed_help"),
    path("embed.js", embed_script.embed_script, name="embed_script"),
    path("profile/", profile.profile, name="profile"),
    path("login/", sign_in.login, name="login"),
    path("logout/", sign_in.logout, name="logout"),
    path("auth/<str:token>/", sign_in.magic_link, name="magic_link"),
    path("t/<str:public_id>/", tickets.ticket_detail, name="ticket"),
    path("t/<str:public_id>/thread/", tickets.ticket_thread, name="ticket_thread"),
    path("t/<str:public_id>/reply/", tickets.reply, name="reply"),
    path("t/<str:public_id>/solve/", tickets.solve, name="solve"),
    path("files/<str:public_id>/", tickets.attachment, name="attachment"),
]
