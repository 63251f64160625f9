from django.urls import path

from helpline.knowledge import community_views, help_views

app_name = "help"

urlpatterns = [
    path("", help_views.home_redirect, name="root"),
    path("suggest/", help_views.suggest, name="suggest"),
    path("deflect/", help_views.deflect, name="deflect"),
    path("files/<str:public_id>/", help_views.download, name="file"),
    path("<str:language>/", help_views.home, name="home"),
    path("<str:language>/faq/", help_views.faq, name="faq"),
    path("<str:language>/search/", help_views.search, name="search"),
    path("<str:language>/community/", community_views.questions, name="community"),
    path("<str:language>/community/<str:public_id>/", community_views.question_detail, name="question"),
    path("<str:language>/community/<str:public_id>/act/", community_views.question_act, name="question_act"),
    path("<str:language>/sections/<slug:slug>/", help_views.section, name="section"),
    path("<str:language>/articles/<str:public_id>/", help_views.article, name="article"),
    path("<str:language>/articles/<str:public_id>/feedback/", help_views.feedback, name="feedback"),
]
