"""Background work of the knowledge base: embedding published translations."""

from __future__ import annotations

from django_tasks import task

from helpline.knowledge.models import ArticleTranslation

EMBEDDING_SOURCE = "kb.translation"


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
    return True


@task()
def embed_translation_task(translation_id: int) -> None:
    embed_translation(translation_id)
