from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "helpline.messaging"
    label = "messaging"
