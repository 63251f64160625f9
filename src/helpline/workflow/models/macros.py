"""Macros: canned responses with placeholders, one variant per language, and optional ticket changes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Macro(models.Model):
    name = models.CharField(_("name"), max_length=100)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="macros"
    )  # None: shared with every agent
    body = models.TextField(_("reply"), blank=True)
    variants = models.JSONField(default=dict, blank=True)  # language code → reply text
    actions = models.JSONField(default=list, blank=True)  # same shape as rule actions (set, tags, assign, note)
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="unique_macro_owner_name")]

    def __str__(self) -> str:
        return self.name

    def body_for(self, language: str) -> str:
        from helpline.workflow.placeholders import pick_variant

        return pick_variant(self.body, self.variants, language)
