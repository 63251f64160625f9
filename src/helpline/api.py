"""The REST API root: one NinjaAPI, routers from each domain's api.py."""

from ninja import NinjaAPI

api = NinjaAPI(title="Helpline API", version="1", urls_namespace="api")
