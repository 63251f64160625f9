from __future__ import annotations

from typing import Any

import pytest

from helpline.accounts.models import Role
from helpline.core.actors import Actor
from helpline.core.errors import ConflictError, InvalidInputError, NotPermittedError
from helpline.knowledge import actions
from helpline.knowledge.diffs import version_diff
from helpline.knowledge.markdown import render_markdown
from helpline.knowledge.models import Section, Visibility
from helpline.tickets.attachments import IncomingFile
from tests.factories import make_agent

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def test_drafts_versions_and_publishing(section: Section, commits: Any) -> None:
    agent = make_agent(Role.AGENT)
    actor = Actor.of_agent(agent)
    translation = actions.create_article(actor=actor, section=section, language="en", title="Hello", body="First")
    assert translation.version == 1 and not translation.is_published
    translation = actions.save_draft(actor=actor, translation=translation, title="Hello", body="Second", note="typo")
    assert translation.version == 2
    # Saving the same text again makes no new version.
    assert actions.save_draft(actor=actor, translation=translation, title="Hello", body="Second").version == 2
    with commits():
        translation = actions.publish(actor=actor, translation=translation)
    assert translation.is_published and translation.published_version == 2
    assert translation.published_html == "<p>Second</p>\n"
    translation = actions.save_draft(actor=actor, translation=translation, title="Hello", body="Third")
    translation.refresh_from_db()
    assert translation.published_body == "Second" and translation.has_unpublished_changes
    assert [v.number for v in translation.versions.all()] == [3, 2, 1]
    translation = actions.restore_version(actor=actor, translation=translation, number=1)
    assert translation.body == "First" and translation.version == 4
    translation = actions.unpublish(actor=actor, translation=translation)
    assert not translation.is_published


def test_stale_draft_is_refused(section: Section) -> None:
    translation = actions.create_article(actor=Actor.system(), section=section, language="en", title="A", body="x")
    actions.save_draft(actor=Actor.system(), translation=translation, title="A", body="y")
    with pytest.raises(ConflictError):
        actions.save_draft(actor=Actor.system(), translation=translation, title="A", body="z", base_version=1)


def test_translations_one_per_language(section: Section) -> None:
    translation = actions.create_article(actor=Actor.system(), section=section, language="en", title="Card", key="card")
    ka = actions.add_translation(actor=Actor.system(), article=translation.article, language="ka", title="ბარათი")
    assert ka.article_id == translation.article_id and ka.version == 1
    with pytest.raises(ConflictError):
        actions.add_translation(actor=Actor.system(), article=translation.article, language="ka", title="again")
    with pytest.raises(InvalidInputError):
        actions.add_translation(actor=Actor.system(), article=translation.article, language="not a code", title="x")
    # Any language, not only the interface ones.
    assert actions.add_translation(actor=Actor.system(), article=translation.article, language="pt-BR", title="Cartão")


def test_light_agents_and_customers_cannot_edit(section: Section) -> None:
    light = make_agent(Role.LIGHT_AGENT)
    with pytest.raises(NotPermittedError):
        actions.create_article(actor=Actor.of_agent(light), section=section, language="en", title="x")
    with pytest.raises(InvalidInputError):
        actions.create_article(actor=Actor.system(), section=section, language="en", title="  ")
    with pytest.raises(InvalidInputError):
        actions.create_article(actor=Actor.system(), section=section, language="en", title="x", visibility="secret")


def test_markdown_is_sanitised() -> None:
    html = render_markdown(
        "# Title\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) **bold**\n\n| a | b |\n|---|---|\n| 1 | 2 |"
    )
    assert "<script" not in html and 'href="javascript' not in html
    assert "<h1>Title</h1>" in html and "<strong>bold</strong>" in html and "<table>" in html


def test_version_diff_lines() -> None:
    lines = version_diff("T", "one\ntwo", "T2", "one\nthree")
    kinds = {(line.kind, line.text) for line in lines}
    assert ("removed", "# T") in kinds and ("added", "# T2") in kinds
    assert ("removed", "two") in kinds and ("added", "three") in kinds and ("same", "one") in kinds


def test_files_are_checked(section: Section) -> None:
    translation = actions.create_article(actor=Actor.system(), section=section, language="en", title="Pic")
    [stored] = actions.add_files(
        actor=Actor.system(), article=translation.article, files=[IncomingFile("dot.png", PNG)]
    )
    assert stored.content_type == "image/png" and stored.is_image
    with pytest.raises(InvalidInputError):
        actions.add_files(
            actor=Actor.system(), article=translation.article, files=[IncomingFile("x.exe", b"MZ\x90\x00")]
        )


def test_agents_only_visibility(section: Section) -> None:
    translation = actions.create_article(
        actor=Actor.system(), section=section, language="en", title="Internal", visibility=Visibility.AGENTS
    )
    assert translation.article.visibility == "agents"
