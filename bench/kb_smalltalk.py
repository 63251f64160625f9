"""Where greetings end and questions begin: the data behind `helpline.assist.smalltalk.MARGIN`.

A message is small talk when its vector is closer to the nearest small-talk anchor than to the
nearest question anchor by at least MARGIN (see that module). This prints that difference for
  - real questions: Banking77's test questions (CC BY 4.0, ../shared/data/banking77; English, as
    bank customers typed them) and short questions in en, ka, am, mn and te about the demo help
    center's articles (below);
  - greetings, thanks and chatter in the five languages that are NOT among the anchors, and each
    anchor against the others (leave one out);
and the smallest margin (a multiple of 0.005) above every real question, with how much small
talk it catches. Then, on the demo help center (embedded here, no database), for every line: the
best article and its score, whether the request form would suggest articles and whether the
answer bot would answer, as the product decides.

    .venv/bin/python bench/kb_smalltalk.py [--data DIR] [--every N]
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import sys
from pathlib import Path

os.environ.setdefault("HELPLINE_EMBED_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402

from helpline.assist import embeddings, smalltalk  # noqa: E402
from helpline.assist.dialogue import confidence_of  # noqa: E402
from helpline.assist.retrieval import Document, HybridIndex  # noqa: E402
from helpline.core.demo_data.knowledge_base import ARTICLES  # noqa: E402
from helpline.knowledge.markdown import markdown_text  # noqa: E402
from helpline.knowledge.search import SUGGEST_MIN_SCORE  # noqa: E402

DEFAULT_DATA = next(
    (
        folder / "shared" / "data" / "banking77"
        for folder in ROOT.parents
        if (folder / "shared" / "data" / "banking77").is_dir()
    ),
    Path("../shared/data/banking77"),
)
MIN_CONFIDENCE = 0.68  # the bot's default (BotSettings.min_confidence)

# Short questions about the demo help center's articles (article key, question).
QUESTIONS = [
    ("track-parcel", "where is my parcel"), ("track-parcel", "my parcel has not arrived"),
    ("router-red-light", "router blinking red"), ("password-reset", "forgot password"),
    ("double-charge", "I was charged twice"), ("returns", "return an item"),
    ("track-parcel", "ამანათი სად არის"), ("track-parcel", "ამანათი არ მოსულა"),
    ("password-reset", "პაროლი დამავიწყდა"), ("double-charge", "ორჯერ ჩამომეჭრა თანხა"),
    ("returns", "ნივთის დაბრუნება"), ("router-red-light", "როუტერი წითლად ციმციმებს"),
    ("change-address", "მისამართის შეცვლა"),
    ("track-parcel", "ጥቅሌ የት ነው"), ("track-parcel", "ጥቅሌ አልደረሰም"), ("password-reset", "የይለፍ ቃሌን ረሳሁ"),
    ("double-charge", "ሁለት ጊዜ ተከፈልኩ"), ("returns", "ዕቃ መመለስ"), ("router-red-light", "ራውተሩ ቀይ መብራት"),
    ("change-address", "አድራሻ መቀየር"),
    ("track-parcel", "илгээмж хаана байна"), ("track-parcel", "илгээмж ирээгүй"),
    ("track-parcel", "илгээмжээ хянах"), ("track-parcel", "илгээмжийн байршил"),
    ("change-address", "хаяг солих"), ("change-address", "хаягаа өөрчлөх"), ("change-address", "шинэ хаяг"),
    ("returns", "бараа буцаах"), ("returns", "буцаалт хийх"), ("returns", "буцаах шошго"),
    ("double-charge", "хоёр удаа төлбөр суусан"), ("double-charge", "давхар төлбөр"),
    ("double-charge", "буцаан олголт ирээгүй"),
    ("router-red-light", "чиглүүлэгч улаан гэрэл"), ("router-red-light", "улаан гэрэл анивчиж байна"),
    ("router-red-light", "чиглүүлэгч ажиллахгүй"),
    ("password-reset", "нууц үг мартсан"), ("password-reset", "нууц үгээ сэргээх"),
    ("password-reset", "нэвтэрч чадахгүй"),
    ("track-parcel", "నా పార్సెల్ ఎక్కడ"), ("track-parcel", "పార్సెల్ రాలేదు"), ("track-parcel", "పార్సెల్ స్థితి"),
    ("change-address", "చిరునామా మార్చాలి"), ("change-address", "డెలివరీ చిరునామా మార్పు"),
    ("change-address", "కొత్త చిరునామా"),
    ("returns", "వస్తువు తిరిగి ఇవ్వాలి"), ("returns", "రిటర్న్ చేయడం ఎలా"), ("returns", "రిటర్న్ లేబుల్"),
    ("double-charge", "రెండుసార్లు ఛార్జ్ చేశారు"), ("double-charge", "డబ్బు రెండుసార్లు కట్"),
    ("router-red-light", "రౌటర్ ఎరుపు లైట్"), ("router-red-light", "రౌటర్ పనిచేయడం లేదు"),
    ("password-reset", "పాస్‌వర్డ్ మర్చిపోయాను"), ("password-reset", "పాస్‌వర్డ్ రీసెట్"),
    ("password-reset", "పాస్‌వర్డ్ గుర్తులేదు"),
]  # fmt: skip
# Greetings, thanks and chatter, none of them an anchor phrase; then lines off the help center's topics.
SMALL_TALK = [
    "hey there", "hiya", "hello, anyone there?", "good day", "many thanks", "thx", "howdy", "what's up", "ok bye",
    "გაუმარჯოს", "მადლობთ", "სალამი, როგორ ხარ?", "ძილი ნებისა", "კარგი დღე",
    "ሰላም ነህ?", "ሰላም ነሽ", "እሺ አመሰግናለሁ", "ሰላም እንዴት ነህ",
    "сайн байцгаана уу", "сайн байна уу?", "маш их баярлалаа", "мэнд", "сайхан амраарай",
    "హాయ్", "నమస్తే అండీ", "థాంక్స్", "థాంక్యూ", "మంచిది", "బాగున్నారా",
]  # fmt: skip
OFF_TOPIC = [
    "the weather is nice today", "tell me a joke", "what is your name", "ამინდი ხვალ", "የአየር ሁኔታ",
    "цаг агаар", "వాతావరణం ఎలా ఉంది",
]  # fmt: skip
# The lines the product must never answer or suggest for (they are anchors too).
MUST_IGNORE = ["hi", "hello", "thanks", "გამარჯობა", "сайн байна уу", "ሰላም", "నమస్తే"]


def demo_index() -> HybridIndex:
    rows = [
        (article.key, title, markdown_text(body))
        for article in ARTICLES
        if article.visibility == "public"
        for title, body in article.texts.values()
    ]
    texts = [f"{title}\n{text}"[:4000] for _key, title, text in rows]
    vectors = embeddings.embed_passages(texts)
    titles = embeddings.embed_passages([title for _key, title, _text in rows])
    return HybridIndex([Document(row[0], texts[i], vectors[i], titles[i]) for i, row in enumerate(rows)])


def best_articles(index: HybridIndex, text: str) -> list[object]:
    seen: dict[str, object] = {}
    for hit in index.search(text, limit=30):
        seen.setdefault(hit.key, hit)
    return list(seen.values())[:3]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--every", type=int, default=1, help="use every Nth Banking77 test question")
    args = parser.parse_args()

    small, questions = smalltalk._anchors()
    leave_one_out = []
    for i in range(len(small)):
        others = np.delete(small, i, axis=0)
        leave_one_out.append(float((others @ small[i]).max() - (questions @ small[i]).max()))
    with (args.data / "test.csv").open(newline="", encoding="utf-8") as handle:
        banking = [row["text"] for row in csv.DictReader(handle)][:: max(1, args.every)]
    bank = np.array([smalltalk.margin(text) for text in banking])
    real = np.array([smalltalk.margin(text) for _key, text in QUESTIONS])
    chatter = np.array([smalltalk.margin(text) for text in SMALL_TALK])

    def line(name: str, values: np.ndarray) -> None:
        print(
            f"{name:44s} n={len(values):5d}  min {values.min():+.3f}  median {np.median(values):+.3f}"
            f"  p99 {np.percentile(values, 99):+.3f}  max {values.max():+.3f}"
        )

    print("margin = nearest small-talk anchor - nearest question anchor (cosine)")
    line("Banking77 test questions (en)", bank)
    line("short questions, demo help center (5 lang.)", real)
    line("small talk not among the anchors", chatter)
    line("anchors, each against the others", np.array(leave_one_out))
    top = float(max(bank.max(), real.max()))
    derived = math.ceil((top + 1e-9) / 0.005) * 0.005
    caught = int((chatter >= derived).sum())
    print(f"largest margin of a real question: {top:+.3f} -> margin {derived:.3f} (in use: {smalltalk.MARGIN:.3f})")
    print(f"  small talk not among the anchors caught: {caught}/{len(chatter)}")
    print(f"  anchors caught when left out: {sum(v >= derived for v in leave_one_out)}/{len(leave_one_out)}")
    worst = sorted(zip(chatter, SMALL_TALK, strict=True))[:5]
    print("  least clear small talk: " + ", ".join(f"{text} {value:+.3f}" for value, text in worst))
    print("  Banking77 questions nearest to small talk:")
    for i in np.argsort(-bank)[:3]:
        print(f"    {bank[i]:+.3f} {banking[i]}")

    index = demo_index()
    print(f"\ndemo help center; suggestions need score >= {SUGGEST_MIN_SCORE}, the bot confidence >= {MIN_CONFIDENCE}")
    first = in_three = 0
    for key, text in QUESTIONS:
        hits = best_articles(index, text)
        keys = [h.key for h in hits]  # type: ignore[attr-defined]
        first += keys[:1] == [key]
        in_three += key in keys
    print(f"short questions: right article first {first}/{len(QUESTIONS)}, among three {in_three}/{len(QUESTIONS)}")
    for label, lines in (("must ignore", MUST_IGNORE), ("small talk", SMALL_TALK), ("off topic", OFF_TOPIC)):
        suggested = answered = 0
        for text in lines:
            hits = best_articles(index, text)
            chatty = smalltalk.is_small_talk(text)
            suggested += not chatty and hits[0].score >= SUGGEST_MIN_SCORE  # type: ignore[attr-defined]
            answered += not chatty and confidence_of(hits) >= MIN_CONFIDENCE
        print(f"{label:12s} n={len(lines):3d}: articles suggested for {suggested}, answered by the bot {answered}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
