from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "helpline.knowledge"
    label = "knowledge"
