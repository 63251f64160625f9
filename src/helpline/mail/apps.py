from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "helpline.mail"
    label = "mail"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from helpline.mail import provider_inbound, provider_status

        provider_status.connect()
        provider_inbound.connect()
