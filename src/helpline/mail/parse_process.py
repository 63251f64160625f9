"""Mail parsed in a process of its own, beside the process that receives it.

A worker receives a chunk in its main thread while its event-feed thread runs the subscribers of
the chunks before; both hold the interpreter lock most of the time, and parsing and readying the
next chunk (MIME tree, charsets, quote folding, HTML cleaning, language detection: `chunk.ready`)
is as much Python work again. So a worker (`helpline worker`, the embedded one of `helpline run`,
`helpline mail fetch` and `mail import`) starts one parse process: a spawned child (it inherits no
database connection and no thread) that sets Django up and loads the language model once, then
readies the chunks sent to it. Its results are plain data (`chunk.Readied`), pickled back.
It also bounds the time a message can take: a chunk not readied within MAIL_PARSE_SECONDS (60 by
default) is readied again message by message, each in a child of its own within that time; a
message that hangs the parser (or kills it) is quarantined with the reason (`chunk.Unparsable`)
instead of holding the worker. A retry from the quarantine in a process that has no parse process
(a web process apart from the workers) readies the message in a child started for it alone
(`over_time`). (With parse processes off, in tests or HELPLINE_MAIL_PARSE_PROCESS=0, there is no
such bound.)

Nothing depends on it: the raw bytes are still stored durably by the receiving process, before
anything is parsed (`prefetch.prepare`); a chunk is readied in the calling thread instead while
the child is starting (no chunk waits for it), when it is off (HELPLINE_MAIL_PARSE_PROCESS=0) or not
started (tests, one-off calls), and when it fails: if it dies (killed, out of memory) the chunk is
readied here, a warning is logged and a new child is started. Parsing is pure, so the outcome is the
same either way. The child ends with its parent (it watches for being orphaned).
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from helpline.mail.chunk import Readied, Unparsable

log = logging.getLogger("helpline.mail.ingest")


@dataclass
class _Child:
    owner: int  # the pid that started it (a forked copy of this module must not use it)
    pool: ProcessPoolExecutor
    warm: Future[int]  # the child's pid once it has set itself up
    counts: dict[str, int] = field(default_factory=lambda: {"child": 0, "here": 0})


PARENT_CHECK_SECONDS = 0.5
WARM_SECONDS = 60  # a new child's set-up, at most (it takes 1-2 s)
_child: _Child | None = None
_lock = threading.Lock()


def enabled() -> bool:
    return bool(getattr(settings, "MAIL_PARSE_PROCESS", True))


def start() -> bool:
    """Start this process's parse process unless it runs already or is off by setting; it sets
    itself up in the background. True when one runs (or is starting)."""
    global _child
    if not enabled():
        return False
    with _lock:
        if _child is not None and _child.owner == os.getpid():
            return True
        _child = _new_child()
    return True


def _new_child() -> _Child:
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(1, mp_context=context, initializer=_set_up, initargs=(os.getpid(),))
    return _Child(os.getpid(), pool, pool.submit(os.getpid))


def stop(*, wait: bool = True) -> None:
    global _child
    with _lock:
        child, _child = _child, None
    if child is not None and child.owner == os.getpid():
        child.pool.shutdown(wait=wait, cancel_futures=True)


def running() -> bool:
    """Whether this process has a parse process (started, or starting)."""
    return _current() is not None


def wait_until_warm(timeout: float = 60) -> int | None:
    """The child's pid once it is ready (None when none runs): for those who time it."""
    child = _current()
    return child.warm.result(timeout=timeout) if child is not None else None


def counts() -> dict[str, int]:
    """Chunks readied by the child, and here while it was starting or after it failed, since it was
    started."""
    child = _current()
    return dict(child.counts) if child is not None else {"child": 0, "here": 0}


def ready_all(raws: list[bytes], message_ids: list[str], max_bytes: int) -> list[Readied | Unparsable | None]:
    """Each raw message parsed and readied (None: larger than `max_bytes`, or not parsable: the
    one-by-one path quarantines it with the reason), by the parse process when it is ready. A chunk
    it has not readied within MAIL_PARSE_SECONDS is readied again one message at a time in a new
    child, each within that time: a message it hangs or dies on comes back `Unparsable`."""
    child = _current()
    if child is not None and child.warm.done() and child.warm.exception() is None:
        try:
            readied = child.pool.submit(ready_here, raws, message_ids, max_bytes).result(timeout=_limit())
        except TimeoutError:
            log.warning(
                "mail parse process spent over %s s on a chunk of %d; its messages are parsed one by one",
                _limit(),
                len(raws),
            )
            _restart(child, kill=True)
            return [_alone(raw, message_id, max_bytes) for raw, message_id in zip(raws, message_ids, strict=True)]
        except BrokenProcessPool:
            log.warning("mail parse process ended; this chunk is parsed here and a new one started")
            _restart(child)
        except Exception:
            log.exception("mail parse process failed on a chunk; parsed here instead")
        else:
            child.counts["child"] += 1
            return readied
        child.counts["here"] += 1
    elif child is not None and child.warm.done():  # it could not set itself up: say so once, go on without it
        log.error("mail parse process could not start (%s); parsing in the worker", child.warm.exception())
        stop(wait=False)
    elif child is not None:  # still starting
        child.counts["here"] += 1
    return ready_here(raws, message_ids, max_bytes)


def ready_here(raws: list[bytes], message_ids: list[str], max_bytes: int) -> list[Readied | Unparsable | None]:
    from helpline.mail.chunk import ready
    from helpline.mail.parsing import parse

    readied: list[Readied | Unparsable | None] = []
    for raw, message_id in zip(raws, message_ids, strict=True):
        try:
            readied.append(ready(parse(raw, message_id=message_id)) if len(raw) <= max_bytes else None)
        except Exception:  # parsed again on the one-by-one path, which says why
            readied.append(None)
    return readied


def over_time(raw: bytes, message_id: str) -> str | None:
    """The quarantine reason when a parse process cannot ready `raw` within MAIL_PARSE_SECONDS (it
    hangs or dies on it); None when it can, and when parse processes are off. For paths that parse
    one stored message again: a retry from the quarantine, `helpline mail reprocess`. Asks this
    process's parse process; a process without one (a web process apart from the workers) starts a
    child for this message alone, ended once it answers, so that a message that hangs the parser
    never holds a request."""
    from helpline.mail.chunk import Unparsable

    if not enabled():
        return None
    child = _current()
    if child is None:
        found = _one_off(raw, message_id)
    else:
        try:
            child.warm.result(timeout=WARM_SECONDS)
        except Exception:
            return None
        found = _alone(raw, message_id, len(raw))
    return found.reason if isinstance(found, Unparsable) else None


def _alone(raw: bytes, message_id: str, max_bytes: int) -> Readied | Unparsable | None:
    """One message readied by a child of its own, within MAIL_PARSE_SECONDS (here when no child can
    be had)."""
    child = _current()
    if child is None:
        start()
        child = _current()
    try:
        if child is None:
            raise BrokenProcessPool("no parse process")
        child.warm.result(timeout=WARM_SECONDS)
    except Exception:  # it cannot start: as without one
        return ready_here([raw], [message_id], max_bytes)[0]
    found, trouble = _ready_in(child, raw, message_id, max_bytes)
    if trouble:
        _restart(child, kill=trouble == "stuck")
    return found


def _one_off(raw: bytes, message_id: str) -> Readied | Unparsable | None:
    """`raw` readied by a new child used for it alone (not this process's parse process), which is
    ended before returning; None when that child cannot start (nothing is known then)."""
    child = _new_child()
    try:
        child.warm.result(timeout=WARM_SECONDS)
    except Exception:
        log.exception("a parse process could not start")
        _end(child, kill=True)
        return None
    found, trouble = _ready_in(child, raw, message_id, len(raw))
    _end(child, kill=trouble == "stuck")
    return found


def _ready_in(child: _Child, raw: bytes, message_id: str, max_bytes: int) -> tuple[Readied | Unparsable | None, str]:
    """One message readied by `child` within MAIL_PARSE_SECONDS, and the child's trouble if it has
    any: "stuck" (to be killed) or "gone"."""
    from helpline.mail.chunk import Unparsable

    try:
        return child.pool.submit(ready_here, [raw], [message_id], max_bytes).result(timeout=_limit())[0], ""
    except TimeoutError:
        log.warning("mail parse process spent over %s s on %s: quarantined", _limit(), message_id)
        return Unparsable(f"parse_timeout: parsing took longer than {_limit():g} s"), "stuck"
    except BrokenProcessPool:
        log.warning("mail parse process ended while parsing %s: quarantined", message_id)
        return Unparsable("parse_crashed: the parse process ended while parsing this message"), "gone"


def _limit() -> float:
    return float(getattr(settings, "MAIL_PARSE_SECONDS", 60))


def _current() -> _Child | None:
    child = _child
    return child if child is not None and child.owner == os.getpid() else None


def _restart(broken: _Child, *, kill: bool = False) -> None:
    """A new child for one that ended (or, `kill`, that is stuck: it is killed first)."""
    global _child
    with _lock:
        if _child is broken:
            _child = None
    _end(broken, kill=kill)
    start()


def _end(child: _Child, *, kill: bool) -> None:
    """End a child and free its pool: `kill` one that is stuck (or may be) first; one that is gone
    or idle ends at once."""
    if kill and child.warm.done() and child.warm.exception() is None:
        with contextlib.suppress(OSError):
            os.kill(child.warm.result(), signal.SIGKILL)
    child.pool.shutdown(wait=True, cancel_futures=True)


def _set_up(parent: int) -> None:
    """In the child: Django and the language model, before the first chunk; and a thread that ends
    the child once `parent` is gone (the child holds both ends of its task pipe, so it would wait on
    it forever)."""
    threading.Thread(target=_end_with, args=(parent,), name="parent-watch", daemon=True).start()
    import django

    django.setup()
    from helpline.assist.language import detect_language

    detect_language("The language model is loaded before the first message.")
    from helpline.core import gc_policy

    gc_policy.settle_worker()


def _end_with(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(0)
