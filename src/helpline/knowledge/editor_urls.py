from django.urls import path

from helpline.knowledge import editor_views

app_name = "kb"

urlpatterns = [
    path("", editor_views.article_list, name="list"),
    path("new/", editor_views.article_new, name="new"),
    path("preview/", editor_views.preview, name="preview"),
    path("suggest/", editor_views.suggest, name="suggest"),
    path("similar/<int:number>/", editor_views.similar, name="similar"),
    path("<str:public_id>/", editor_views.article_detail, name="article"),
    path("<str:public_id>/<str:language>/", editor_views.translation_edit, name="edit"),
    path("<str:public_id>/<str:language>/publish/", editor_views.translation_publish, name="publish"),
    path("<str:public_id>/<str:language>/diff/", editor_views.translation_diff, name="diff"),
]
