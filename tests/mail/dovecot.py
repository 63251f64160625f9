"""A throwaway Dovecot IMAP server on loopback for the tests (Debian's dovecot-imapd)."""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

from tests.mail.servers import free_port

DOVECOT = shutil.which("dovecot") or ("/usr/sbin/dovecot" if os.path.exists("/usr/sbin/dovecot") else None)
USER, PASSWORD = "support", "imap-secret"

CONFIG = """
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
{ssl}
disable_plaintext_auth = no
auth_mechanisms = plain login xoauth2 oauthbearer
first_valid_uid = 1
first_valid_gid = 1
mail_location = maildir:~/Maildir
default_login_user = dovenull
default_internal_user = dovecot
mail_plugins =
{capability}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
{oauth2}
userdb {{
  driver = passwd-file
  args = username_format=%u {root}/users
}}
service imap-login {{
  inet_listener imap {{
    port = {port}
  }}
  inet_listener imaps {{
    port = {tls_port}
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Processed {{
    auto = create
  }}
}}
"""


# Dovecot 2.3's post-login CAPABILITY with the settings above
POST_LOGIN_CAPABILITIES = (
    "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT SORT=DISPLAY THREAD=REFERENCES THREAD=REFS "
    "THREAD=ORDEREDSUBJECT MULTIAPPEND URL-PARTIAL CATENATE UNSELECT CHILDREN NAMESPACE UIDPLUS "
    "LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH ESORT SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS "
    "BINARY MOVE SNIPPET=FUZZY PREVIEW=FUZZY PREVIEW STATUS=SIZE SAVEDATE LITERAL+ NOTIFY SPECIAL-USE"
)
OPENSSL = shutil.which("openssl")


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost, made fresh for each test server."""
    assert OPENSSL is not None
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(  # noqa: S603
        [
            OPENSSL,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=True,
        timeout=60,
    )
    return cert, key


class Dovecot:
    """`tls=True`: `ssl = yes` with a self-signed certificate (`self.cert`), implicit TLS on
    `self.tls_port` and STARTTLS on `self.port`. `without`: capabilities the server does not
    announce after login (e.g. MOVE, UIDPLUS), as an older or smaller IMAP server would."""

    def __init__(
        self, root: Path, introspection_url: str = "", *, tls: bool = False, without: tuple[str, ...] = ()
    ) -> None:
        self.root = root
        self.introspection_url = introspection_url
        self.port = free_port()
        self.tls = tls
        self.tls_port = free_port() if tls else 0
        self.cert: Path | None = None
        self.config = root / "dovecot.conf"
        self.without = {name.upper() for name in without}

    def start(self) -> Dovecot:
        assert DOVECOT is not None
        home = self.root / "home"
        for sub in ("run", "state", "home"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        uid, gid = 8, 8  # Debian's "mail" user: Dovecot refuses to deliver mail as root
        (self.root / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}:{uid}:{gid}::{home}::\n")
        oauth2 = ""
        if self.introspection_url:  # XOAUTH2 tokens checked by RFC 7662 introspection
            (self.root / "oauth2.conf").write_text(
                f"introspection_mode = post\nintrospection_url = {self.introspection_url}\n"
                "username_attribute = username\nactive_attribute = active\nactive_value = true\n"
            )
            oauth2 = f"passdb {{\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n  args = {self.root}/oauth2.conf\n}}"
        ssl = "ssl = no"
        if self.tls:
            self.cert, key = make_certificate(self.root)
            ssl = f"ssl = yes\nssl_cert = <{self.cert}\nssl_key = <{key}"
        self.config.write_text(
            CONFIG.format(
                root=self.root,
                port=self.port,
                tls_port=self.tls_port,
                oauth2=oauth2,
                ssl=ssl,
                capability=self._capability_setting(),
            )
        )
        os.chmod(self.root, 0o755)  # noqa: S103  the mail user must reach its home below
        os.chown(home, uid, gid)
        subprocess.run(  # noqa: S603
            [DOVECOT, "-c", str(self.config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            check=True,
            timeout=30,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    if sock.recv(100).startswith(b"* OK"):
                        return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("dovecot did not start: " + (self.root / "dovecot.log").read_text()[-2000:])

    def _capability_setting(self) -> str:
        """`imap_capability` replaces the post-login list (Dovecot 2.3 can only add with "+", not
        remove), so the default list is written out without the left-out names."""
        if not self.without:
            return ""
        kept = [name for name in POST_LOGIN_CAPABILITIES.split() if name not in self.without]
        return "imap_capability = " + " ".join(kept)

    def stop(self) -> None:
        subprocess.run(  # noqa: S603
            [DOVECOT, "-c", str(self.config), "stop"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
            timeout=30,
        )

    def discard(self) -> None:
        """Stop the server and remove its folder, without waiting: Dovecot's master takes 2-3 s to exit
        after `stop`, and the next test's server has a folder and ports of its own. The stops still under
        way are waited for (and their folders removed) when the next one starts and at the end of the run."""
        _reap(wait=False)
        stopping = subprocess.Popen(  # noqa: S603
            [DOVECOT, "-c", str(self.config), "stop"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
        )
        _STOPPING.append((stopping, self.root))


_STOPPING: list[tuple[subprocess.Popen[bytes], Path]] = []


def _reap(*, wait: bool) -> None:
    for stopping, root in list(_STOPPING):
        if wait:
            try:
                stopping.wait(timeout=30)
            except subprocess.TimeoutExpired:
                stopping.kill()
        if stopping.poll() is not None:
            shutil.rmtree(root, ignore_errors=True)
            _STOPPING.remove((stopping, root))


atexit.register(_reap, wait=True)
