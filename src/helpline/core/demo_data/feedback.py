"""Demo satisfaction answers: most solved demo tickets got a CSAT rating from their customer a few hours after
they were solved, some with a comment in the customer's language; a supervisor shared the latest good comments
as kudos. Written through the surveys actions, nothing is mailed, and a second run adds nothing."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from helpline.accounts.models import User
from helpline.core.actors import Actor
from helpline.surveys import actions as survey_actions
from helpline.surveys.models import CsatSurvey
from helpline.tickets.models import Ticket

# Weighted like a desk that mostly does well: one rating in twelve is bad.
RATINGS = (5, 5, 5, 5, 4, 4, 4, 5, 3, 5, 2, 1)
ANSWER_SHARE = 0.7  # of solved tickets whose customer answers
COMMENT_SHARE = 0.6  # of answers with a comment
KUDOS_SHARED = 3

GOOD = {
    "en": (
        "Quick and friendly, thank you!",
        "Solved on the first try, great service.",
        "The agent explained everything clearly.",
    ),
    "ka": (
        "სწრაფად და თავაზიანად, გმადლობთ!",
        "პრობლემა პირველივე ცდაზე მოგვარდა, შესანიშნავი მომსახურებაა.",
        "ოპერატორმა ყველაფერი ნათლად ამიხსნა.",
    ),
    "am": ("ፈጣን እና ትሁት አገልግሎት፣ አመሰግናለሁ!", "ችግሩ በመጀመሪያው ሙከራ ተፈታ፣ ምርጥ አገልግሎት።", "ሰራተኛው ሁሉንም ነገር በግልጽ አስረዳኝ።"),
    "mn": (
        "Хурдан бөгөөд эелдэг, баярлалаа!",
        "Асуудал анхны оролдлогоор шийдэгдсэн, гайхалтай үйлчилгээ.",
        "Ажилтан бүгдийг ойлгомжтой тайлбарласан.",
    ),
    "te": ("వేగంగా, మర్యాదగా స్పందించారు, ధన్యవాదాలు!", "మొదటి ప్రయత్నంలోనే సమస్య పరిష్కారమైంది, అద్భుతమైన సేవ.", "ఏజెంట్ అన్నీ స్పష్టంగా వివరించారు."),
}
BAD = {
    "en": ("It took far too long to get an answer.", "I had to write three times."),
    "ka": ("პასუხს ძალიან დიდხანს ველოდე.", "სამჯერ მომიწია მოწერა."),
    "am": ("መልስ ለማግኘት በጣም ረጅም ጊዜ ወሰደ።", "ሦስት ጊዜ መጻፍ ነበረብኝ።"),
    "mn": ("Хариу авах гэж хэтэрхий удаан хүлээсэн.", "Гурван удаа бичих хэрэгтэй болсон."),
    "te": ("సమాధానం రావడానికి చాలా ఎక్కువ సమయం పట్టింది.", "మూడుసార్లు రాయాల్సి వచ్చింది."),
}


def _comment(rng: random.Random, rating: int, language: str) -> str | None:
    if rng.random() >= COMMENT_SHARE or rating == 3:
        return None
    texts = GOOD if rating >= 4 else BAD
    return rng.choice(texts.get(language, texts["en"]))


def ensure_feedback(tickets: list[Ticket], supervisor: User, seed: int, now: dt.datetime | None = None) -> int:
    """Survey the solved demo tickets once and answer most of them; returns how many answers were made."""
    now = now or timezone.now()
    system = Actor.system("demo")
    answered = 0
    for ticket in sorted(tickets, key=lambda t: t.pk):
        if ticket.solved_at is None or ticket.requester is None:
            continue
        rng = random.Random(f"{seed}:{ticket.number}")
        sent_at = ticket.solved_at + dt.timedelta(minutes=5)
        survey = survey_actions.create_csat_survey(actor=system, ticket=ticket, at=sent_at)
        if survey is None or rng.random() >= ANSWER_SHARE:
            continue  # surveyed on an earlier run, or this customer never answered
        at = min(sent_at + dt.timedelta(hours=rng.uniform(0.5, 20)), now)
        rating = rng.choice(RATINGS)
        survey_actions.answer_csat(
            actor=Actor.of_customer(ticket.requester),
            survey=survey,
            rating=rating,
            comment=_comment(rng, rating, survey.language),
            at=at,
        )
        answered += 1
    if answered:
        latest = CsatSurvey.objects.filter(rating__gte=4, ticket__in=tickets).exclude(comment="")
        for survey in latest.order_by("-answered_at")[:KUDOS_SHARED]:
            survey_actions.share_kudos(actor=Actor.of_agent(supervisor), survey=survey)
    return answered
