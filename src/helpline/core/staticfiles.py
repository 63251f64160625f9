"""Static files: whitenoise's compressed storage, without compressing a file again that has not changed.

`helpline run` collects the static files at every start. collectstatic copies only the files that changed,
but hands every file to the storage's post-processing, and whitenoise compressed each of them again with
brotli at its best quality and gzip at level 9: several seconds of CPU on every start of the server.
"""

from __future__ import annotations

import os
from typing import Any

from whitenoise.compress import brotli_installed
from whitenoise.storage import CompressedStaticFilesStorage as WhitenoiseCompressedStorage


class CompressedStaticFilesStorage(WhitenoiseCompressedStorage):
    """A collected file is compressed again only when its compressed copy was not written from this very
    version of it: whitenoise gives a compressed copy the modification time of the file it compressed, and
    collectstatic gives a file it copies anew the time of the copy."""

    def post_process(self, paths: dict[str, Any], dry_run: bool = False, **options: Any) -> Any:
        changed = {path: value for path, value in paths.items() if not self._compressed_copy_is_current(path)}
        yield from super().post_process(changed, dry_run=dry_run, **options)

    def _compressed_copy_is_current(self, path: str) -> bool:
        # whitenoise writes the brotli copy first and skips gzip when brotli does not pay
        full_path = self.path(path)
        copy = full_path + (".br" if brotli_installed else ".gz")
        try:
            # (the time is handed over as a float of seconds: equal to within a fraction of a microsecond)
            return abs(os.stat(copy).st_mtime_ns - os.stat(full_path).st_mtime_ns) < 1_000_000
        except FileNotFoundError:
            return False
