from django.urls import path

from helpline.reports import nps_views, segment_views, settings_views, views

app_name = "reports"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export/tickets.<str:fmt>", views.export_tickets, name="export_tickets"),
    path("export/summary.<str:fmt>", views.export_summary, name="export_summary"),
    path("kudos/<str:public_id>/share/", views.share_kudos, name="share_kudos"),
    path("wall/", views.wall, name="wall"),
    path("wall/figures/", views.wall_figures, name="wall_figures"),
    path("nps/", nps_views.campaigns, name="nps"),
    path("settings/", settings_views.report_settings, name="settings"),
    path("segments/", segment_views.segment_list, name="segments"),
    path("segments/<str:public_id>/delete/", segment_views.segment_delete, name="segment_delete"),
]
