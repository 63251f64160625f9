from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from helpline.accounts.models import Role
from helpline.core.actors import Actor
from helpline.knowledge import actions
from helpline.knowledge.models import ArticleFile, ArticleTranslation, Section, Visibility
from tests.factories import make_agent

pytestmark = pytest.mark.django_db


def test_help_center_home_section_and_article(client: Client, kb: dict[str, ArticleTranslation]) -> None:
    assert client.get("/help/").status_code == 302
    home = client.get("/help/ka/")
    assert home.status_code == 200
    text = home.content.decode()
    assert "ანგარიშები" in text  # the category's Georgian name
    assert "გამოწერის გაუქმება" in text  # the Georgian translation is listed for Georgian readers
    assert "Reset your password" in text  # English fallback when there is no Georgian translation
    article = kb["reset-password"].article
    page = client.get(f"/help/en/articles/{article.public_id}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "<strong>Forgot password</strong>" in body and "Related articles" in body
    assert client.get(f"/help/en/sections/{article.section.slug}/").status_code == 200
    assert client.get("/help/xx/").status_code == 404


def test_agents_only_articles_are_not_public(client: Client, kb: dict[str, ArticleTranslation]) -> None:
    article = kb["card-delivery"].article
    actions.update_article(actor=Actor.system(), article=article, visibility=Visibility.AGENTS)
    assert client.get(f"/help/en/articles/{article.public_id}/").status_code == 404
    assert "When will my card arrive?" not in client.get("/help/en/").content.decode()
    agent_client = Client()
    agent_client.force_login(make_agent())
    assert agent_client.get(f"/help/en/articles/{article.public_id}/").status_code == 200


def test_feedback_is_counted_per_article_and_language(client: Client, kb: dict[str, ArticleTranslation]) -> None:
    ka = kb["cancel-subscription"].article.translations.get(language="ka")
    url = f"/help/ka/articles/{ka.article.public_id}/feedback/"
    assert client.post(url, {"helpful": "yes", "translation_language": "ka"}).status_code == 302
    Client().post(url, {"helpful": "no", "translation_language": "ka"})
    client.post(url, {"helpful": "yes", "translation_language": "en"})
    ka.refresh_from_db()
    en = ka.article.translations.get(language="en")
    assert (ka.helpful_yes, ka.helpful_no) == (1, 1)
    assert (en.helpful_yes, en.helpful_no) == (1, 0)
    # One vote per reader: the same answer again counts nothing, the other one moves the vote.
    client.post(url, {"helpful": "yes", "translation_language": "ka"})
    ka.refresh_from_db()
    assert (ka.helpful_yes, ka.helpful_no) == (1, 1)
    client.post(url, {"helpful": "no", "translation_language": "ka"})
    ka.refresh_from_db()
    assert (ka.helpful_yes, ka.helpful_no) == (0, 2)


def test_search_and_faq_pages(client: Client, kb: dict[str, ArticleTranslation]) -> None:
    actions.update_article(actor=Actor.system(), article=kb["refund"].article, is_faq=True)
    page = client.get("/help/mn/search/", {"q": "Нууц үгээ мартчихлаа"})
    assert page.status_code == 200 and "Reset your password" in page.content.decode()
    assert client.get("/help/en/search/", {"q": "a\x00b"}).status_code == 200  # a clear message, not a crash
    faq = client.get("/help/en/faq/").content.decode()
    assert "How to request a refund" in faq and "Cancel your subscription" not in faq


def test_suggestions_while_typing(client: Client, kb: dict[str, ArticleTranslation]) -> None:
    response = client.get("/help/suggest/", {"q": "I forgot my password", "lang": "en"})
    assert response.status_code == 200 and "Reset your password" in response.content.decode()
    assert "data-kb-article" not in client.get("/help/suggest/", {"q": "hi"}).content.decode()


def test_api_search(client: Client, kb: dict[str, ArticleTranslation]) -> None:
    response = client.get("/api/kb/search", {"q": "დამავიწყდა პაროლი", "lang": "ka"})
    assert response.status_code == 200
    data = response.json()
    top = data["results"][0]
    assert top["key"] == "reset-password" and top["matched_language"] == "en" and top["score"] > 0
    assert top["url"].endswith(f"/help/en/articles/{top['article']}/")
    scores = [r["score"] for r in data["results"]]
    assert scores == sorted(scores, reverse=True)
    for bad, code in [("", "query_empty"), ("x" * 600, "query_too_long"), ("PK\x03\x04\x14\x06", "query_binary")]:
        error = client.get("/api/kb/search", {"q": bad})
        assert error.status_code == 422 and error.json()["error"]["code"] == code
    nul = client.get("/api/kb/search", {"q": "%PDF\x00"})  # refused before it reaches the endpoint
    assert nul.status_code == 400 and nul.json()["error"]["code"] == "invalid_characters"


def test_api_agents_see_agents_only_articles(client: Client, kb: dict[str, ArticleTranslation]) -> None:
    actions.update_article(actor=Actor.system(), article=kb["refund"].article, visibility=Visibility.AGENTS)
    public = client.get("/api/kb/search", {"q": "refund money back"}).json()["results"]
    assert all(r["key"] != "refund" for r in public)
    agent_client = Client()
    agent_client.force_login(make_agent())
    results = agent_client.get("/api/kb/search", {"q": "refund money back"}).json()["results"]
    assert results[0]["key"] == "refund" and results[0]["visibility"] == "agents"


def test_editor_flow(agent_client: Client, section: Section, commits: Any) -> None:
    response = agent_client.post(
        "/kb/new/",
        {
            "section": section.pk,
            "language": "en",
            "title": "Wi-Fi setup",
            "body": "Step **one**",
            "visibility": "public",
        },
    )
    assert response.status_code == 302
    translation = ArticleTranslation.objects.get(title="Wi-Fi setup")
    public_id = translation.article.public_id
    edit_url = f"/kb/{public_id}/en/"
    assert agent_client.get(edit_url).status_code == 200
    with commits():
        response = agent_client.post(
            edit_url,
            {"title": "Wi-Fi setup", "body": "Step **two**", "note": "fix", "base_version": 1, "then": "publish"},
        )
    assert response.status_code == 302
    translation.refresh_from_db()
    assert translation.is_published and translation.published_version == 2
    diff = agent_client.get(f"/kb/{public_id}/en/diff/", {"a": 1, "b": 2}).content.decode()
    assert "Step **one**" in diff and "Step **two**" in diff
    preview = agent_client.post("/kb/preview/", {"body": "**x** <script>bad()</script>"}).content.decode()
    assert "<strong>x</strong>" in preview and "<script" not in preview
    # A translation, then unpublishing the English one.
    agent_client.post(
        f"/kb/{public_id}/", {"form": "translation", "language": "ka", "title": "Wi-Fi", "body": "ნაბიჯი"}
    )
    assert translation.article.translations.filter(language="ka").exists()
    agent_client.post(f"/kb/{public_id}/en/publish/", {"action": "unpublish"})
    translation.refresh_from_db()
    assert not translation.is_published
    listing = agent_client.get("/kb/").content.decode()
    # Listed by its title in the agent's language (English here), with the key beside it.
    assert translation.article.key in listing and f"<strong>{translation.title}</strong>" in listing


def test_editor_upload_and_download(agent_client: Client, client: Client, section: Section) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.knowledge.test_actions import PNG

    translation = actions.create_article(actor=Actor.system(), section=section, language="en", title="Pic")
    public_id = translation.article.public_id
    upload = SimpleUploadedFile("dot.png", PNG, content_type="image/png")
    assert agent_client.post(f"/kb/{public_id}/", {"form": "files", "files": upload}).status_code == 302
    stored = ArticleFile.objects.get(article=translation.article)
    response = client.get(f"/help/files/{stored.public_id}/")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"


def test_light_agent_cannot_edit(section: Section) -> None:
    light = Client()
    light.force_login(make_agent(Role.LIGHT_AGENT))
    response = light.post(
        "/kb/new/", {"section": section.pk, "language": "en", "title": "Nope", "visibility": "public"}
    )
    assert response.status_code == 200 and not ArticleTranslation.objects.filter(title="Nope").exists()


def test_ticket_page_suggestions(agent_client: Client, kb: dict[str, ArticleTranslation]) -> None:
    response = agent_client.get("/kb/suggest/", {"q": "card arrive"})
    body = response.content.decode()
    assert response.status_code == 200 and "When will my card arrive?" in body and "data-kb-insert" in body


def test_ticket_page_has_the_article_panel(agent_client: Client) -> None:
    from tests.factories import make_ticket

    ticket = make_ticket(subject="Card never arrived")
    body = agent_client.get(f"/tickets/{ticket.number}/").content.decode()
    assert 'data-kb-search="/kb/suggest/"' in body and 'value="Card never arrived"' in body


def test_request_form_suggests_articles_and_counts_deflections(
    client: Client, kb: dict[str, ArticleTranslation]
) -> None:
    form = client.get("/portal/new/").content.decode()
    assert 'data-kb-suggest="/help/suggest/"' in form
    translation = kb["card-delivery"]
    response = client.post("/help/deflect/", {"article": translation.article.public_id, "language": "en"})
    assert response.status_code == 204
    translation.refresh_from_db()
    assert translation.deflections == 1
    client.post("/help/deflect/", {"article": translation.article.public_id, "language": "en"})  # a reload
    Client().post("/help/deflect/", {"article": translation.article.public_id, "language": "en"})
    translation.refresh_from_db()
    assert translation.deflections == 2  # once per reader
    assert client.post("/help/deflect/", {"article": "nope", "language": "en"}).status_code == 404


def test_similar_solved_tickets_with_reusable_reply(agent_client: Client, agent: Any, commits: Any) -> None:
    from helpline.tickets import actions as ticket_actions
    from tests.factories import make_ticket

    with commits():
        old = make_ticket(subject="Printer jammed on page two", body_text="It jams.")
        ticket_actions.add_reply(
            actor=Actor.of_agent(agent),
            ticket=old,
            body_text="Open tray B and pull the sheet out.",
            new_status="solved",
        )
        make_ticket(subject="Printer jammed again", body_text="Still open.")  # open: not offered
        current = make_ticket(subject="My printer jammed", body_text="Help")
    body = agent_client.get(f"/kb/similar/{current.number}/").content.decode()
    assert f"#{old.number}" in body and 'data-kb-reuse="Open tray B and pull the sheet out."' in body
    assert "Printer jammed again" not in body


def test_help_center_theme_settings(client: Client, settings: Any) -> None:
    settings.HELPLINE_HELP_CENTER_CSS = "/static/brand/help-theme.css"
    settings.HELPLINE_HELP_CENTER_TITLE = "Acme Support"
    page = client.get("/help/en/").content.decode()
    assert 'href="/static/brand/help-theme.css"' in page and "<h1>Acme Support</h1>" in page
