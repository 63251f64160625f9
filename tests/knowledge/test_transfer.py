from __future__ import annotations

import csv
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from helpline.knowledge.models import Article, ArticleTranslation

pytestmark = pytest.mark.django_db

EN = """---
key: wifi-setup
language: en
title: Set up Wi-Fi
category: Devices
section: Router
faq: true
---
Press the **WPS** button.
"""
KA = """---
key: wifi-setup
language: ka
title: Wi-Fi-ის დაყენება
category: Devices
section: Router
---
დააჭირეთ **WPS** ღილაკს.
"""


def run(*args: Any) -> str:
    out = StringIO()
    call_command("kb", *args, "--no-progress", stdout=out, stderr=StringIO())
    return out.getvalue()


def test_markdown_import_is_idempotent(tmp_path: Path, commits: Any) -> None:
    (tmp_path / "wifi.en.md").write_text(EN, encoding="utf-8")
    (tmp_path / "wifi.ka.md").write_text(KA, encoding="utf-8")
    with commits():
        assert "2 created, 0 updated, 0 unchanged" in run("import", tmp_path)
    article = Article.objects.get(key="wifi-setup")
    assert article.is_faq and article.section.name == "Router" and article.section.category.name == "Devices"
    ka = article.translations.get(language="ka")
    assert ka.is_published and "<strong>WPS</strong>" in ka.published_html
    assert "0 created, 0 updated, 2 unchanged" in run("import", tmp_path)
    (tmp_path / "wifi.en.md").write_text(EN.replace("WPS", "Reset"), encoding="utf-8")
    assert "0 created, 1 updated, 1 unchanged" in run("import", tmp_path)
    en = article.translations.get(language="en")
    assert en.version == 2 and en.published_version == 2 and "Reset" in en.published_body


def test_export_then_import_round_trip(tmp_path: Path) -> None:
    source = tmp_path / "in"
    source.mkdir()
    (source / "a.md").write_text(EN, encoding="utf-8")
    (source / "b.md").write_text(KA, encoding="utf-8")
    run("import", source)
    out_dir = tmp_path / "out"
    assert "2 translations exported" in run("export", out_dir)
    assert sorted(p.name for p in out_dir.iterdir()) == ["wifi-setup.en.md", "wifi-setup.ka.md"]
    assert "0 created, 0 updated, 2 unchanged" in run("import", out_dir)
    csv_path = tmp_path / "kb.csv"
    run("export", csv_path)
    rows = list(csv.DictReader(csv_path.open(encoding="utf-8")))
    assert {r["language"] for r in rows} == {"en", "ka"} and rows[0]["key"] == "wifi-setup"
    assert "0 created, 0 updated, 2 unchanged" in run("import", csv_path)


def test_csv_import_and_bad_rows(tmp_path: Path) -> None:
    path = tmp_path / "kb.csv"
    path.write_text(
        "title,body,language,category,key\n"
        "Pay by card,We accept **Visa**.,en,Billing,pay-card\n"
        "ბარათით გადახდა,ვიღებთ Visa-ს.,ka,Billing,pay-card\n"
        ",no title,en,Billing,\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError):
        run("import", path)
    assert ArticleTranslation.objects.filter(article__key="pay-card").count() == 2
    with pytest.raises(CommandError):
        run("import", tmp_path / "missing")


def test_reindex_adds_missing_title_vectors(tmp_path: Path, commits: Any) -> None:
    from helpline.assist.models import Embedding
    from helpline.knowledge.tasks import EMBEDDING_SOURCE, TITLE_EMBEDDING_SOURCE

    (tmp_path / "wifi.en.md").write_text(EN, encoding="utf-8")
    with commits():
        run("import", tmp_path)
    translation = ArticleTranslation.objects.get()
    sources = {e.source for e in Embedding.objects.filter(source_id=translation.pk)}
    assert sources == {EMBEDDING_SOURCE, TITLE_EMBEDDING_SOURCE}
    Embedding.objects.filter(source=TITLE_EMBEDDING_SOURCE).delete()  # as stored before title vectors
    assert "1 published translations indexed" in run("reindex")
    assert Embedding.objects.filter(source=TITLE_EMBEDDING_SOURCE, source_id=translation.pk).count() == 1
    with pytest.raises(CommandError):
        run("import")
