"""Knowledge base: categories hold sections, sections hold articles; an article has one
translation per language, each with a working draft, numbered versions and the published copy."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from helpline.core.ids import new_public_id


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    AGENTS = "agents", _("Agents only")


class Category(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    names = models.JSONField(default=dict, blank=True)  # {language: name}
    position = models.IntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    def name_in(self, language: str) -> str:
        return self.names.get(language) or self.name


class Section(models.Model):
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="sections")
    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    names = models.JSONField(default=dict, blank=True)
    position = models.IntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    def name_in(self, language: str) -> str:
        return self.names.get(language) or self.name


class Article(models.Model):
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    key = models.SlugField(max_length=120, unique=True)  # the translation key shared by all languages
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="articles")
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC)
    is_faq = models.BooleanField(default=False)
    position = models.IntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.key


class ArticleTranslation(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=16)
    title = models.CharField(max_length=250)  # the working draft
    body = models.TextField(blank=True)  # Markdown
    version = models.PositiveIntegerField(default=0)  # number of the latest saved version
    is_published = models.BooleanField(default=False)
    published_version = models.PositiveIntegerField(default=0)
    published_title = models.CharField(max_length=250, blank=True)
    published_body = models.TextField(blank=True)
    published_html = models.TextField(blank=True)
    published_text = models.TextField(blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    helpful_yes = models.PositiveIntegerField(default=0)
    helpful_no = models.PositiveIntegerField(default=0)
    views = models.PositiveIntegerField(default=0)
    deflections = models.PositiveIntegerField(default=0)  # read from a suggestion, then the form was left
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["language"]
        constraints = [models.UniqueConstraint(fields=["article", "language"], name="kb_one_translation_per_language")]
        indexes = [models.Index(fields=["is_published", "language"])]

    def __str__(self) -> str:
        return f"{self.article.key} [{self.language}]"

    @property
    def has_unpublished_changes(self) -> bool:
        return self.version != self.published_version or not self.is_published


class ArticleVersion(models.Model):
    translation = models.ForeignKey(ArticleTranslation, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=250)
    body = models.TextField(blank=True)
    note = models.CharField(max_length=250, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["translation", "number"], name="kb_version_number_unique")]


def kb_file_path(instance: ArticleFile, filename: str) -> str:
    return f"kb/{instance.sha256[:2]}/{instance.sha256}/{instance.public_id}"


class ArticleFile(models.Model):
    """An image or attachment of an article; Markdown refers to it by its URL."""

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=kb_file_path, max_length=255)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


# -- community Q&A -------------------------------------------------------------------------------


class Question(models.Model):
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    author_customer = models.ForeignKey("customers.Customer", null=True, blank=True, on_delete=models.SET_NULL)
    author_agent = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    title = models.CharField(max_length=250)
    body = models.TextField(blank=True)  # Markdown as written
    body_html = models.TextField(blank=True)  # sanitised
    language = models.CharField(max_length=16, blank=True)
    score = models.IntegerField(default=0)
    reports = models.PositiveIntegerField(default=0)
    is_hidden = models.BooleanField(default=False)
    accepted_answer = models.ForeignKey(
        "knowledge.Answer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]


class Answer(models.Model):
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    author_customer = models.ForeignKey("customers.Customer", null=True, blank=True, on_delete=models.SET_NULL)
    author_agent = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    body = models.TextField()
    body_html = models.TextField()
    score = models.IntegerField(default=0)
    reports = models.PositiveIntegerField(default=0)
    is_hidden = models.BooleanField(default=False)
    article = models.ForeignKey(Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]


class PostVote(models.Model):
    """One vote (+1 / -1) of one person on a question or an answer; voting again changes it."""

    question = models.ForeignKey(Question, null=True, blank=True, on_delete=models.CASCADE)
    answer = models.ForeignKey(Answer, null=True, blank=True, on_delete=models.CASCADE)
    voter = models.CharField(max_length=64)  # "c<customer id>" or "a<agent id>"
    value = models.SmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["question", "voter"], name="kb_one_vote_per_question"),
            models.UniqueConstraint(fields=["answer", "voter"], name="kb_one_vote_per_answer"),
        ]


class PostReport(models.Model):
    question = models.ForeignKey(Question, null=True, blank=True, on_delete=models.CASCADE)
    answer = models.ForeignKey(Answer, null=True, blank=True, on_delete=models.CASCADE)
    reporter = models.CharField(max_length=64)
    reason = models.CharField(max_length=250, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["question", "reporter"], name="kb_one_report_per_question"),
            models.UniqueConstraint(fields=["answer", "reporter"], name="kb_one_report_per_answer"),
        ]
