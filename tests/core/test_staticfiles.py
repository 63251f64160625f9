"""The static files storage compresses a collected file once, and again only when it was collected anew."""

from __future__ import annotations

import os
from pathlib import Path

from helpline.core.staticfiles import CompressedStaticFilesStorage


def _compressed(storage: CompressedStaticFilesStorage, names: list[str]) -> list[str]:
    return sorted(name for _original, name, _processed in storage.post_process(dict.fromkeys(names)))


def test_an_unchanged_file_is_not_compressed_again_a_changed_one_is(tmp_path: Path) -> None:
    storage = CompressedStaticFilesStorage(location=str(tmp_path))
    for name in ("app.js", "site.css"):
        (tmp_path / name).write_text("function hello() { return 'hello'; }\n" * 200)
    (tmp_path / "logo.png").write_bytes(b"\x89PNG" + bytes(range(256)) * 8)
    names = ["app.js", "site.css", "logo.png"]

    first = _compressed(storage, names)
    assert {name.rsplit(".", 1)[0] for name in first} == {"app.js", "site.css"}  # not the image
    gzipped = (tmp_path / "app.js.gz").read_bytes()

    assert _compressed(storage, names) == []  # collected again unchanged: nothing to do

    # collectstatic copies a changed file anew, which gives it the time of the copy
    (tmp_path / "app.js").write_text("function changed() { return 'changed'; }\n" * 200)
    later = os.stat(tmp_path / "app.js.gz").st_mtime_ns + 5_000_000_000
    os.utime(tmp_path / "app.js", ns=(later, later))
    assert {name.rsplit(".", 1)[0] for name in _compressed(storage, names)} == {"app.js"}
    assert (tmp_path / "app.js.gz").read_bytes() != gzipped
    assert _compressed(storage, names) == []
