from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "helpline.search"
    label = "search"
