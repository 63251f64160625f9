"""Forms of the knowledge-base editor (they only parse input; the actions validate and write)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from helpline.knowledge.models import Section, Visibility


class ArticleForm(forms.Form):
    section = forms.ModelChoiceField(queryset=Section.objects.select_related("category"), label=_("Section"))
    language = forms.CharField(max_length=16, initial="en", label=_("Language"))
    title = forms.CharField(max_length=250, label=_("Title"))
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 16}), required=False, label=_("Article (Markdown)"))
    key = forms.CharField(max_length=120, required=False, label=_("Translation key"))
    visibility = forms.ChoiceField(choices=Visibility.choices, label=_("Visibility"))
    is_faq = forms.BooleanField(required=False, label=_("Show in the FAQ"))


class ArticleSettingsForm(forms.Form):
    section = forms.ModelChoiceField(queryset=Section.objects.select_related("category"), label=_("Section"))
    visibility = forms.ChoiceField(choices=Visibility.choices, label=_("Visibility"))
    is_faq = forms.BooleanField(required=False, label=_("Show in the FAQ"))


class TranslationForm(forms.Form):
    title = forms.CharField(max_length=250, label=_("Title"))
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 20}), required=False, label=_("Article (Markdown)"))
    note = forms.CharField(max_length=250, required=False, label=_("What changed"))
    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class NewTranslationForm(forms.Form):
    language = forms.CharField(max_length=16, label=_("Language"))
    title = forms.CharField(max_length=250, label=_("Title"))
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 10}), required=False, label=_("Article (Markdown)"))


class CategoryForm(forms.Form):
    name = forms.CharField(max_length=200, label=_("Category name"))


class SectionForm(forms.Form):
    category: forms.ModelChoiceField[Any] = forms.ModelChoiceField(queryset=None, label=_("Category"))
    name = forms.CharField(max_length=200, label=_("Section name"))

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        from helpline.knowledge.models import Category

        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.all()  # type: ignore[attr-defined]
