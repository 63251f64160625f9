"""Background work of the knowledge base: embedding published translations, each twice: the whole
text, and the title alone (a question of two or three words is closer to a title than to a page,
above all across languages)."""

from __future__ import annotations

from django_tasks import task

from helpline.knowledge.models import ArticleTranslation

EMBEDDING_SOURCE = "kb.translation"
TITLE_EMBEDDING_SOURCE = "kb.translation.title"


def document_text(translation: ArticleTranslation) -> str:
    return f"{translation.published_title}\n{translation.published_text}"[:4000]


def embed_translation(translation_id: int) -> bool:
    from helpline.assist.actions import store_embedding

    translation = ArticleTranslation.objects.filter(pk=translation_id, is_published=True).first()
    if translation is None:
        return False
    store_embedding(
        source=EMBEDDING_SOURCE,
        source_id=translation.pk,
        text=document_text(translation),
        language=translation.language,
    )
    store_embedding(
        source=TITLE_EMBEDDING_SOURCE,
        source_id=translation.pk,
        text=translation.published_title[:400],
        language=translation.language,
    )
    return True


@task()
def embed_translation_task(translation_id: int) -> None:
    embed_translation(translation_id)
