from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "helpline.chat"
    label = "chat"
