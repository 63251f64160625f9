from django.urls import path

from helpline.accounts import notification_views, profile_views, token_views, two_factor_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/code/", views.totp_verify_view, name="totp_verify"),
    path("logout/", views.logout_view, name="logout"),
    path("language/", views.set_language_view, name="set_language"),
    path("profile/", profile_views.profile_view, name="profile"),
    path("notifications/", notification_views.notifications_view, name="notifications"),
    path("password/", profile_views.password_view, name="password"),
    path("2fa/", two_factor_views.two_factor_view, name="two_factor"),
    path("tokens/", token_views.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", token_views.token_revoke, name="token_revoke"),
]
