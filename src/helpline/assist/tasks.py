"""Background work of the answer bot: replying in ticket threads off the request path (embedding
the question, and a generative answer when on, take longer than a WebSocket message should)."""

from __future__ import annotations

from django_tasks import task


@task()
def answer_message_task(message_id: int) -> None:
    from helpline.assist.thread_bot import answer_message

    answer_message(message_id)
