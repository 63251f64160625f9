"""Settings for the test suite: the real settings with immediate tasks and fast hashing."""

import os
import tempfile

os.environ.setdefault("HELPLINE_TASKS", "immediate")
os.environ.setdefault("HELPLINE_DATA_DIR", tempfile.mkdtemp(prefix="helpline-test-"))

from helpline.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# The server's GC policy freezes the whole process's collector (core.gc_policy): in-process socket
# tests would leave it so for every later test of their process. Its own tests start it themselves.
SERVER_GC_POLICY = os.environ.get("SERVER_GC_POLICY", "0") == "1"
# No mail parse process unless a test starts one (those of mail.parse_process) or asks for it.
MAIL_PARSE_PROCESS = os.environ.get("HELPLINE_MAIL_PARSE_PROCESS", "0") == "1"
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405

if DATABASES["default"]["ENGINE"].endswith("postgresql"):  # noqa: F405
    # One test database per run, so parallel runs on one server don't trample each other.
    DATABASES["default"]["TEST"] = {"NAME": f"test_helpline_{os.getpid()}"}  # noqa: F405
    # Test data need not outlive a crash of the server: a commit does not wait for its WAL to reach the disk.
    # On a busy disk that wait made every transactional test's flush (TRUNCATE) take seconds.
    _options = DATABASES["default"].setdefault("OPTIONS", {})  # noqa: F405
    _options["options"] = (_options.get("options", "") + " -c synchronous_commit=off").strip()

STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405  (whitenoise looks for it at start-up)
