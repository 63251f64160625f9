from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings

from helpline.mail.models import Mailbox


@pytest.fixture(autouse=True)
def raw_dir(tmp_path: Any) -> Any:
    with override_settings(MAIL_RAW_DIR=tmp_path / "raw"):
        yield tmp_path / "raw"


@pytest.fixture
def mailbox(db: Any) -> Mailbox:
    return Mailbox.objects.create(name="Support", email_address="support@desk.example")
