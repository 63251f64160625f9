from __future__ import annotations

import hashlib
import hmac

from helpline.webhooks.signing import compute_signature, new_secret, signature_headers, verify_signature


def test_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    body = b'{"event":"created"}'
    expected = hmac.new(b"whsec_test", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert compute_signature("whsec_test", "1700000000", body) == f"sha256={expected}"
    headers = signature_headers("whsec_test", body, timestamp=1700000000)
    assert headers == {"X-Helpline-Timestamp": "1700000000", "X-Helpline-Signature": f"sha256={expected}"}


def test_verify_refuses_tampering_wrong_secret_and_old_timestamps() -> None:
    secret = new_secret()
    body = b'{"a":1}'
    headers = signature_headers(secret, body, timestamp=1_000_000)
    stamp, signature = headers["X-Helpline-Timestamp"], headers["X-Helpline-Signature"]
    assert verify_signature(secret, timestamp=stamp, body=body, signature=signature, now=1_000_010)
    assert not verify_signature(secret, timestamp=stamp, body=b'{"a":2}', signature=signature, now=1_000_010)
    assert not verify_signature(new_secret(), timestamp=stamp, body=body, signature=signature, now=1_000_010)
    assert not verify_signature(secret, timestamp=stamp, body=body, signature=signature, now=1_000_000 + 301)
    assert not verify_signature(secret, timestamp="soon", body=body, signature=signature)


def test_secrets_are_random_and_prefixed() -> None:
    first, second = new_secret(), new_secret()
    assert first != second and first.startswith("whsec_") and len(first) > 40
