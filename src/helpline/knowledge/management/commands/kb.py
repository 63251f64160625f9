"""`helpline kb import PATH` and `helpline kb export PATH`: a folder of Markdown files with front
matter, or a CSV file (by the .csv suffix). `helpline kb reindex` embeds every published
translation whose stored vectors are missing or stale (e.g. after an upgrade adds title vectors)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from helpline.core.actors import Actor
from helpline.core.errors import InvalidInputError
from helpline.knowledge import transfer
from helpline.knowledge.models import ArticleTranslation
from helpline.knowledge.tasks import embed_translation


class Command(BaseCommand):
    help = "Import or export knowledge-base articles (Markdown with front matter, or CSV)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("direction", choices=["import", "export", "reindex"])
        parser.add_argument("path", type=Path, nargs="?")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, direction: str, path: Path | None, no_progress: bool, **options: Any) -> None:
        if direction == "reindex":
            self._reindex(no_progress)
            return
        if path is None:
            raise CommandError(f"kb {direction} needs a PATH")
        if direction == "import":
            self._import(path, no_progress)
        else:
            self._export(path, no_progress)

    def _import(self, path: Path, no_progress: bool) -> None:
        if not path.exists():
            raise CommandError(f"{path} does not exist")
        try:
            records = transfer.read_records(path)
        except InvalidInputError as exc:
            raise CommandError(exc.message) from exc
        counts: dict[str, int] = {"created": 0, "updated": 0, "unchanged": 0, "failed": 0}
        results = transfer.import_records(actor=Actor.system("kb import"), records=records)
        for record, outcome in tqdm(results, total=len(records), disable=no_progress, unit="article"):
            if outcome.startswith("error"):
                counts["failed"] += 1
                self.stderr.write(f"{record.origin or record.key}: {outcome}")
            else:
                counts[outcome] += 1
        self.stdout.write(
            f"{counts['created']} created, {counts['updated']} updated, {counts['unchanged']} unchanged, "
            f"{counts['failed']} failed"
        )
        if counts["failed"]:
            raise CommandError(f"{counts['failed']} records failed")

    def _reindex(self, no_progress: bool) -> None:
        ids = list(ArticleTranslation.objects.filter(is_published=True).order_by("pk").values_list("pk", flat=True))
        for translation_id in tqdm(ids, disable=no_progress, unit="translation"):
            embed_translation(translation_id)  # unchanged text is not embedded again
        self.stdout.write(f"{len(ids)} published translations indexed")

    def _export(self, path: Path, no_progress: bool) -> None:
        records = list(transfer.export_rows())
        if path.suffix.lower() == ".csv":
            path.parent.mkdir(parents=True, exist_ok=True)
            count = transfer.write_csv(tqdm(records, disable=no_progress, unit="article"), path)
        else:
            path.mkdir(parents=True, exist_ok=True)
            count = 0
            for record in tqdm(records, disable=no_progress, unit="article"):
                transfer.write_markdown(record, path)
                count += 1
        self.stdout.write(f"{count} translations exported to {path}")
