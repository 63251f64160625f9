from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "helpline.surveys"
    label = "surveys"
