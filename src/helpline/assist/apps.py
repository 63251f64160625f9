from django.apps import AppConfig


class AssistConfig(AppConfig):
    name = "helpline.assist"
    label = "assist"
