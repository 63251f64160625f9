from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "helpline.core"
    label = "core"

    def ready(self) -> None:
        from helpline.core import psycopg_tuning

        psycopg_tuning.install()
