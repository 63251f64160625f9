"""Builds the mail corpus in tests/mail/corpus/: 30 conversations (a first mail and a reply) in
many languages, shaped like the mail of common clients. Run `python -m tests.mail.corpus_builder`
to regenerate; the .eml files and their .json expectations are committed."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from email import policy
from email.header import Header
from email.message import EmailMessage
from pathlib import Path

HERE = Path(__file__).parent / "corpus"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ICS = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nSUMMARY:Call\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"


@dataclass
class Lang:
    code: str
    name: str
    sender: str
    subject: str
    first: str
    reply: str
    charset: str
    quote: str  # quote header line of the client in that language (uses {who})


LANGS = [
    Lang(
        "ka",
        "ნინო ბერიძე",
        "nino@example.ge",
        "პრინტერი არ მუშაობს",
        "გამარჯობა, ჩემი პრინტერი არ მუშაობს.",
        "მადლობა, ახლა მუშაობს!",
        "utf-8",
        "{who}-მა დაწერა:",
    ),
    Lang(
        "am",
        "አበበ ከበደ",
        "abebe@example.et",
        "ማተሚያ አይሰራም",
        "ሰላም፣ ማተሚያዬ አይሰራም። እባክዎን እርዱኝ።",
        "አመሰግናለሁ፣ አሁን ይሰራል።",
        "utf-8",
        "{who} ጻፈ:",
    ),
    Lang(
        "mn",
        "Бат-Эрдэнэ",
        "bat@example.mn",
        "Принтер ажиллахгүй байна",
        "Сайн байна уу, миний принтер ажиллахгүй байна.",
        "Баярлалаа, одоо ажиллаж байна.",
        "utf-8",
        "{who} бичсэн:",
    ),
    Lang(
        "te",
        "రవి కుమార్",
        "ravi@example.in",
        "ప్రింటర్ పని చేయడం లేదు",
        "నమస్కారం, నా ప్రింటర్ పని చేయడం లేదు.",
        "ధన్యవాదాలు, ఇప్పుడు పని చేస్తోంది.",
        "utf-8",
        "{who} ఇలా రాశారు:",
    ),
    Lang(
        "ru",
        "Наталья Иванова",
        "natasha@example.ru",
        "Не работает принтер",
        "Здравствуйте, у меня не работает принтер.",
        "Спасибо, всё заработало!",
        "koi8-r",
        "{who} написал:",
    ),
    Lang(
        "ru",
        "Сергей Петров",
        "sergey@example.ru",
        "Счёт за июнь",
        "Добрый день, пришлите, пожалуйста, счёт за июнь.",
        "Получил, спасибо.",
        "windows-1251",
        "{who} пишет:",
    ),
    Lang(
        "ja",
        "山田太郎",
        "taro@example.jp",
        "プリンターの故障",
        "こんにちは、プリンターが壊れました。",
        "ありがとうございます、直りました。",
        "iso-2022-jp",
        "{who} のメッセージ:",
    ),
    Lang(
        "ja",
        "佐藤花子",
        "hanako@example.jp",
        "請求書について",
        "請求書の金額が間違っています。",
        "確認しました。",
        "shift_jis",
        "{who} は書きました:",
    ),
    Lang(
        "zh",
        "王伟",
        "wangwei@example.cn",
        "打印机坏了",
        "你好，打印机坏了，请帮忙。",
        "谢谢，现在好了。",
        "gb18030",
        "在 2024年6月3日 10:00，{who} 写道：",
    ),
    Lang(
        "zh",
        "李娜",
        "lina@example.tw",
        "發票問題",
        "你好，發票金額不對。",
        "收到，謝謝。",
        "big5",
        "在 2024年6月3日 10:00，{who} 寫道：",
    ),
    Lang(
        "en",
        "Ann Smith",
        "ann@example.com",
        "Printer on fire",
        "Hello, my printer is on fire.",
        "Thanks, it is out now.",
        "us-ascii",
        "On Mon, 3 Jun 2024 at 10:00, {who} wrote:",
    ),
    Lang(
        "de",
        "Jürgen Müller",
        "juergen@example.de",
        "Drucker defekt",
        "Hallo, mein Drucker druckt nur Müll.",
        "Danke, funktioniert wieder.",
        "iso-8859-1",
        "Am 03.06.2024 um 10:00 schrieb {who}:",
    ),
    Lang(
        "fr",
        "Amélie Dupré",
        "amelie@example.fr",
        "Problème de facture",
        "Bonjour, la facture est erronée, merci de vérifier.",
        "Merci, c'est réglé.",
        "iso-8859-15",
        "Le lun. 3 juin 2024 à 10:00, {who} a écrit :",
    ),
    Lang(
        "es",
        "José Núñez",
        "jose@example.es",
        "Pedido retrasado",
        "Hola, mi pedido no ha llegado todavía.",
        "Gracias, ya llegó.",
        "windows-1252",
        "El lun, 3 jun 2024 a las 10:00, {who} escribió:",
    ),
    Lang(
        "pl",
        "Paweł Żak",
        "pawel@example.pl",
        "Zamówienie",
        "Dzień dobry, zamówienie nie dotarło.",
        "Dziękuję, dotarło.",
        "iso-8859-2",
        "W dniu 3.06.2024 o 10:00, {who} napisał:",
    ),
    Lang(
        "uk",
        "Олена Коваль",
        "olena@example.ua",
        "Рахунок",
        "Добрий день, рахунок неправильний, ґудзик.",
        "Дякую, все добре.",
        "koi8-u",
        "{who} написала:",
    ),
    Lang(
        "el",
        "Γιώργος Παππάς",
        "giorgos@example.gr",
        "Εκτυπωτής",
        "Γειά σας, ο εκτυπωτής είναι χαλασμένος.",
        "Ευχαριστώ, λειτουργεί.",
        "iso-8859-7",
        "On Mon, 3 Jun 2024 at 10:00, {who} wrote:",
    ),
    Lang(
        "tr",
        "Ayşe Yılmaz",
        "ayse@example.com.tr",
        "Yazıcı sorunu",
        "Merhaba, yazıcım çalışmıyor.",
        "Teşekkürler, düzeldi.",
        "iso-8859-9",
        "{who} şunları yazdı: yazdı:",
    ),
    Lang(
        "ko",
        "김민수",
        "minsu@example.kr",
        "프린터 고장",
        "안녕하세요, 프린터가 고장났어요.",
        "감사합니다, 해결됐어요.",
        "euc-kr",
        "On Mon, 3 Jun 2024 at 10:00, {who} wrote:",
    ),
    Lang(
        "ar",
        "محمد علي",
        "mohamed@example.eg",
        "مشكلة في الطابعة",
        "مرحبا، الطابعة لا تعمل.",
        "شكرا، تعمل الآن.",
        "windows-1256",
        "On Mon, 3 Jun 2024 at 10:00, {who} wrote:",
    ),
    Lang(
        "he",
        "דוד כהן",
        "david@example.il",
        "בעיה בחשבונית",
        "שלום, החשבונית שגויה.",
        "תודה, הכל בסדר.",
        "iso-8859-8",
        "On Mon, 3 Jun 2024 at 10:00, {who} wrote:",
    ),
    Lang(
        "th",
        "สมชาย ใจดี",
        "somchai@example.th",
        "เครื่องพิมพ์เสีย",
        "สวัสดีครับ เครื่องพิมพ์เสีย",
        "ขอบคุณครับ ใช้ได้แล้ว",
        "tis-620",
        "On Mon, 3 Jun 2024 at 10:00, {who} wrote:",
    ),
    Lang(
        "ka",
        "გიორგი",
        "giorgi@example.ge",
        "ინვოისი",
        "ინვოისი არასწორია, გთხოვთ შეამოწმოთ.",
        "კარგი, მადლობა.",
        "utf-8",
        "On Mon, 3 Jun 2024 at 10:00, {who} wrote:",
    ),
    Lang(
        "am",
        "ሃና",
        "hana@example.et",
        "ትዕዛዝ",
        "ትዕዛዜ አልደረሰም።",
        "ደርሷል፣ አመሰግናለሁ።",
        "utf-8",
        "On Mon, 3 Jun 2024 at 10:00, {who} wrote:",
    ),
    Lang(
        "mn",
        "Сараа",
        "saraa@example.mn",
        "Нэхэмжлэх",
        "Нэхэмжлэх буруу байна.",
        "Ойлголоо, баярлалаа.",
        "utf-8",
        "On Mon, 3 Jun 2024 at 10:00, {who} wrote:",
    ),
    Lang(
        "te",
        "లక్ష్మి",
        "lakshmi@example.in",
        "ఆర్డర్ రాలేదు",
        "నా ఆర్డర్ ఇంకా రాలేదు.",
        "వచ్చింది, ధన్యవాదాలు.",
        "utf-8",
        "On Mon, 3 Jun 2024 at 10:00, {who} wrote:",
    ),
    Lang(
        "ru",
        "Игорь",
        "igor@example.ru",
        "Доступ к порталу",
        "Не могу войти в личный кабинет.",
        "Вошёл, спасибо.",
        "utf-8",
        "{who} написал:",
    ),
    Lang(
        "ja",
        "鈴木",
        "suzuki@example.jp",
        "ログインできません",
        "ポータルにログインできません。",
        "ログインできました。",
        "euc-jp",
        "On Mon, 3 Jun 2024 at 10:00, {who} wrote:",
    ),
    Lang(
        "zh",
        "张敏",
        "zhangmin@example.cn",
        "无法登录",
        "我无法登录门户网站。",
        "已经可以登录了。",
        "gb2312",
        "在 2024年6月3日 10:00，{who} 写道：",
    ),
    Lang(
        "en",
        "Bob Jones",
        "bob@example.org",
        "Invoice attached",
        "Please find the invoice attached.",
        "Got it, thanks.",
        "utf-8",
        "On Mon, 3 Jun 2024 at 10:00, {who} wrote:",
    ),
]
CLIENTS = ["gmail", "outlook", "apple", "thunderbird", "iphone", "plain"]


def _cte(charset: str) -> str:
    return (
        "7bit"
        if charset in ("iso-2022-jp", "us-ascii")
        else "base64"
        if charset.startswith(("utf", "gb", "big5", "euc", "shift"))
        else "quoted-printable"
    )


def _html(text: str) -> str:
    return f'<div dir="auto">{text}</div>'


def build(lang: Lang, client: str, index: int, reply: bool, attach: str) -> tuple[bytes, dict]:
    msg = EmailMessage(policy=policy.SMTP)
    mid = f"<{client}-{index}-{'r' if reply else 'f'}@{lang.sender.split('@')[1]}>"
    msg["From"] = f"{lang.name} <{lang.sender}>"
    msg["To"] = "support@desk.example"
    msg["Subject"] = ("Re: " if reply else "") + lang.subject
    msg["Date"] = f"Mon, 03 Jun 2024 10:0{1 if reply else 0}:00 +0000"
    msg["Message-ID"] = mid
    if reply:
        first = f"<{client}-{index}-f@{lang.sender.split('@')[1]}>"
        msg["In-Reply-To"] = first
        msg["References"] = first
    text = lang.reply if reply else lang.first
    quoted = ""
    if reply:
        header = lang.quote.format(who="Support <support@desk.example>")
        quoted = f"\n\n{header}\n> {lang.first}\n"
    signature = ""
    if client == "iphone":
        signature = "\n\nSent from my iPhone"
    elif client == "thunderbird":
        signature = f"\n\n-- \n{lang.name}"
    body = text + signature + quoted
    charset = lang.charset
    if client in ("gmail", "outlook", "apple"):
        msg.set_content(body, charset=charset if charset != "us-ascii" else "utf-8", cte=_cte(charset))
        if client == "gmail":
            quote_html = (
                f'<div class="gmail_quote"><div>{lang.quote.format(who="Support")}</div><blockquote>{lang.first}</blockquote></div>'
                if reply
                else ""
            )
            html = _html(text) + quote_html
        elif client == "outlook":
            quote_html = (
                f'<div id="appendonsend"></div><hr><div id="divRplyFwdMsg"><b>From:</b> Support</div><div>{lang.first}</div>'
                if reply
                else ""
            )
            html = f"<html><body><p>{text}</p>{quote_html}</body></html>"
        else:
            quote_html = f'<blockquote type="cite">{lang.first}</blockquote>' if reply else ""
            html = f"<div>{text}</div>{quote_html}"
        msg.add_alternative(html, subtype="html", charset="utf-8", cte="base64")
    else:
        msg.set_content(body, charset=charset if charset != "us-ascii" else "utf-8", cte=_cte(charset))
    attachments: list[str] = []
    if attach == "pdf":
        name = f"{lang.subject[:12]}.pdf"
        msg.add_attachment(PDF, maintype="application", subtype="pdf", filename=name)
        attachments.append(name)
    elif attach == "ics":
        msg.add_attachment(ICS, subtype="calendar", filename="invite.ics")
        attachments.append("invite.ics")
    elif attach == "rfc822":
        inner = EmailMessage()
        inner["From"] = "old@example.com"
        inner["Subject"] = "Earlier"
        inner.set_content("earlier body")
        msg.add_attachment(inner, filename="Earlier.eml")
        attachments.append("Earlier.eml")
    elif attach == "png":
        msg.add_attachment(PNG, maintype="image", subtype="png", filename="screenshot.png")
        attachments.append("screenshot.png")
    raw = msg.as_bytes()
    if charset not in ("utf-8", "us-ascii") and index % 2 == 0:
        # some clients encode the subject in the body's charset (RFC 2047), not in UTF-8
        encoded = Header(msg["Subject"], charset).encode()
        start = raw.index(b"Subject:")
        end = raw.index(b"\r\n", start)
        while raw[end + 2 : end + 3] in (b" ", b"\t"):
            end = raw.index(b"\r\n", end + 2)
        raw = raw[:start] + b"Subject: " + encoded.encode("ascii") + raw[end:]
    expected = {
        "from": lang.sender,
        "from_name": lang.name,
        "subject": ("Re: " if reply else "") + lang.subject,
        "visible_text": text,
        "attachments": attachments,
        "thread": f"t{index:02d}",
        "outcome": "added" if reply else "new_ticket",
        "language": lang.code,
        "client": client,
    }
    return raw, expected


def main() -> None:
    HERE.mkdir(exist_ok=True)
    attach_cycle = ["", "pdf", "", "ics", "png", "", "rfc822"]
    for index, lang in enumerate(LANGS):
        client = CLIENTS[index % len(CLIENTS)]
        for reply in (False, True):
            attach = attach_cycle[(index + int(reply)) % len(attach_cycle)]
            raw, expected = build(lang, client, index, reply, attach)
            stem = f"{index:02d}{'b' if reply else 'a'}-{lang.code}-{client}"
            (HERE / f"{stem}.eml").write_bytes(raw)
            (HERE / f"{stem}.json").write_text(json.dumps(expected, ensure_ascii=False, indent=1) + "\n")


if __name__ == "__main__":
    main()
