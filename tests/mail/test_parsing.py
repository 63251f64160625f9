from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpline.mail.folding import fold_html, fold_text
from helpline.mail.parsing import parse
from tests.mail.mails import raw_mail

CHARSET_SAMPLES = [
    ("utf-8", "Привет, 你好, გამარჯობა"),
    ("windows-1251", "Здравствуйте, у меня не работает принтер."),
    ("koi8-r", "Здравствуйте, у меня не работает принтер."),
    ("koi8-u", "Добрий день, принтер не працює, ґанок."),
    ("iso-8859-1", "Grüße aus Köln, ça va très bien."),
    ("iso-8859-2", "Dzień dobry, drukarka nie działa. Žluťoučký kůň."),
    ("iso-8859-5", "Здравствуйте, принтер сломан."),
    ("iso-8859-7", "Γειά σας, ο εκτυπωτής είναι χαλασμένος."),
    ("iso-8859-8", "שלום, המדפסת לא עובדת."),
    ("iso-8859-9", "Merhaba, yazıcı çalışmıyor, şimdi."),
    ("iso-8859-15", "Prix : 10 € - œuvre."),
    ("iso-2022-jp", "こんにちは、プリンターが壊れました。"),
    ("shift_jis", "こんにちは、プリンターが壊れました。"),
    ("euc-jp", "こんにちは、プリンターが壊れました。"),
    ("gb18030", "你好，打印机坏了。"),
    ("gb2312", "你好，打印机坏了。"),
    ("big5", "你好，印表機壞了。"),
    ("euc-kr", "안녕하세요, 프린터가 고장났어요."),
    ("windows-1256", "مرحبا، الطابعة لا تعمل."),
    ("windows-1250", "Dobrý den, tiskárna nefunguje."),
    ("tis-620", "สวัสดีครับ เครื่องพิมพ์เสีย"),
]


@pytest.mark.parametrize(("charset", "text"), CHARSET_SAMPLES)
@pytest.mark.parametrize("cte", ["8bit", "base64"])
def test_bodies_in_many_charsets_decode_exactly(charset: str, text: str, cte: str) -> None:
    cte = "7bit" if charset == "iso-2022-jp" and cte == "8bit" else cte
    parsed = parse(raw_mail(text, charset=charset, cte=cte))
    assert parsed.text == text


SCRIPTS = {
    "ka": "გამარჯობა, ჩემი პრინტერი არ მუშაობს. დამეხმარეთ, გთხოვთ.",
    "am": "ሰላም፣ ማተሚያዬ አይሰራም። እባክዎን እርዱኝ።",
    "mn": "Сайн байна уу, миний принтер ажиллахгүй байна. ᠮᠣᠩᠭᠣᠯ",
    "te": "నమస్కారం, నా ప్రింటర్ పని చేయడం లేదు. దయచేసి సహాయం చేయండి.",
}


@pytest.mark.parametrize("lang", sorted(SCRIPTS))
@pytest.mark.parametrize("cte", ["8bit", "base64", "quoted-printable"])
def test_four_scripts_come_through_intact(lang: str, cte: str) -> None:
    text = SCRIPTS[lang]
    if cte == "quoted-printable":
        import quopri

        body = quopri.encodestring(text.encode()).decode("ascii")
        raw = raw_mail("", cte=cte)
        raw = raw + body.encode()
    else:
        raw = raw_mail(text, cte=cte)
    subject = "=?utf-8?b?" + base64.b64encode(text[:20].encode()).decode() + "?="
    raw = raw.replace(b"Subject: Printer broken", f"Subject: {subject}".encode())
    parsed = parse(raw)
    assert parsed.text == text
    assert parsed.subject == text[:20].strip()


def test_rfc2047_headers_and_rfc2231_filenames() -> None:
    raw = (
        b"From: =?koi8-r?B?7sHUwdvB?= <natasha@example.ru>\r\n"
        b"To: support@desk.example\r\n"
        b"Subject: =?windows-1251?Q?=CF=F0=E8=ED=F2=E5=F0?= =?utf-8?q?_=E2=80=94_ok?=\r\n"
        b"Message-ID: <a@b>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="XX"\r\n\r\n'
        b"--XX\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nsee attached\r\n"
        b"--XX\r\nContent-Type: application/pdf\r\n"
        b"Content-Disposition: attachment; filename*=utf-8''%D0%A1%D1%87%D1%91%D1%82%20%E2%84%961.pdf\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(b"%PDF-1.4\n%%EOF\n") + b"--XX\r\n"
        b'Content-Type: application/pdf; name="=?utf-8?B?' + base64.b64encode("Договор.pdf".encode()) + b'?="\r\n'
        b"Content-Disposition: attachment\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + base64.encodebytes(b"%PDF-1.4\n%%EOF\n")
        + b"--XX--\r\n"
    )
    parsed = parse(raw)
    assert parsed.from_name == "Наташа"
    assert parsed.subject == "Принтер — ok"
    assert [a.filename for a in parsed.attachments] == ["Счёт №1.pdf", "Договор.pdf"]
    assert parsed.text == "see attached"


@pytest.mark.parametrize(
    ("charset", "name", "subject"),
    [
        ("windows-1251", "Иван Петров", "Принтер не печатает"),
        ("koi8-r", "Наташа", "Счёт за декабрь"),
        ("utf-8", "ნინო", "პრინტერი არ მუშაობს"),
        ("iso-8859-2", "Łukasz Wójcik", "Drukarka nie działa"),
    ],
)
def test_headers_in_raw_eight_bit_bytes_use_the_messages_charset(charset: str, name: str, subject: str) -> None:
    """Some clients put unencoded bytes in their charset into From and Subject (no RFC 2047)."""
    headers = f"From: {name} <sender@example.com>\r\nSubject: {subject} =?utf-8?q?=E2=9C=93?=\r\n"
    rest = (
        f"To: support@desk.example\r\nMessage-ID: <raw8@x>\r\nMIME-Version: 1.0\r\n"
        f"Content-Type: text/plain; charset={charset}\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{subject}\r\n"
    )
    raw = headers.encode(charset) + rest.encode(charset)
    parsed = parse(raw)
    assert (parsed.from_name, parsed.from_address) == (name, "sender@example.com")
    assert parsed.subject == f"{subject} ✓"
    assert parsed.text == subject


def test_broken_bytes_and_unknown_charset_never_raise() -> None:
    raw = raw_mail("x", charset="utf-8").replace(b"\r\n\r\nx", b"\r\n\r\n\xff\xfe caf\xe9 \xd0\xbf")
    assert "caf" in parse(raw).text
    raw = raw_mail("hello").replace(b'charset="utf-8"', b'charset="x-made-up-42"')
    assert parse(raw).text == "hello"


def test_alternative_related_rfc822_calendar_and_smime() -> None:
    png = base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
    )
    raw = (
        b"From: bob@example.com\r\nTo: support@desk.example\r\nSubject: mix\r\nMessage-ID: <m@x>\r\n"
        b"MIME-Version: 1.0\r\n"
        b'Content-Type: multipart/signed; protocol="application/pkcs7-signature"; boundary="S"\r\n\r\n'
        b'--S\r\nContent-Type: multipart/mixed; boundary="M"\r\n\r\n'
        b'--M\r\nContent-Type: multipart/alternative; boundary="A"\r\n\r\n'
        b"--A\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPlain version\r\n"
        b'--A\r\nContent-Type: multipart/related; boundary="R"\r\n\r\n'
        b'--R\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>HTML version <img src="cid:logo@x"></p>\r\n'
        b"--R\r\nContent-Type: image/png\r\nContent-ID: <logo@x>\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + base64.encodebytes(png)
        + b"--R--\r\n--A--\r\n"
        b"--M\r\nContent-Type: message/rfc822\r\n\r\n"
        b"From: x@y\r\nSubject: Earlier mail\r\nMessage-ID: <old@y>\r\n\r\nold body\r\n"
        b"--M\r\nContent-Type: text/calendar; method=REQUEST; charset=utf-8\r\n\r\n"
        b"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"
        b"--M--\r\n"
        b'--S\r\nContent-Type: application/pkcs7-signature; name="smime.p7s"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(b"\x30\x82signature") + b"--S--\r\n"
    )
    parsed = parse(raw)
    assert parsed.text == "Plain version"
    assert "HTML version" in parsed.html
    names = {a.filename: a for a in parsed.attachments}
    assert set(names) == {"part-1.png", "Earlier mail.eml", "invite.ics", "smime.p7s"}
    assert names["part-1.png"].inline and names["part-1.png"].content_id == "logo@x"
    assert b"old body" in names["Earlier mail.eml"].content
    assert b"VCALENDAR" in names["invite.ics"].content


@pytest.mark.parametrize(
    ("text", "visible"),
    [
        (
            "Thanks, works now.\n\nOn Mon, 3 Jun 2024 at 10:00, Support <s@d.example> wrote:\n> Try again",
            "Thanks, works now.",
        ),
        ("Danke!\n\nAm 03.06.2024 um 10:00 schrieb Support <s@d.example>:\n> Versuchen", "Danke!"),
        ("Merci\n\nLe lun. 3 juin 2024 à 10:00, Support <s@d> a écrit :\n> x", "Merci"),
        ("Спасибо\n\n3 июня 2024 г., в 10:00, Support <s@d> написал:\n> x", "Спасибо"),
        ("ありがとう\n\n2024年6月3日(月) 10:00 Support <s@d>:\n> x", "ありがとう"),
        ("谢谢\n\n在 2024年6月3日 10:00，Support <s@d> 写道：\n> x", "谢谢"),
        (
            "Got it.\n\n________________________________\nFrom: Support <s@d>\nSent: Monday\nSubject: x\n\nold",
            "Got it.",
        ),
        ("Fine.\n\n-----Original Message-----\nFrom: a\nSent: b\n", "Fine."),
        ("Ok thanks\n\nFrom: Support <s@d>\nSent: Monday, June 3\nTo: me\n\nold", "Ok thanks"),
        ("New text\n-- \nAnn\nCEO", "New text"),
        ("New text\n\nSent from my iPhone", "New text"),
        ("Short reply\n\n> quoted line\n> more", "Short reply"),
    ],
)
def test_quotes_and_signatures_are_folded(text: str, visible: str) -> None:
    folded = fold_text(text)
    assert folded.visible == visible
    assert folded.has_folded


def test_html_quotes_are_folded() -> None:
    html = '<div>New words</div><div class="gmail_quote"><div>On x wrote:</div><blockquote>old</blockquote></div>'
    folded = fold_html(html)
    assert folded.visible == "<div>New words</div>"
    assert "old" in folded.folded
    assert fold_html('<div class="gmail_quote">only quote</div>').visible.startswith("<div")


@pytest.mark.parametrize(
    ("text", "visible"),
    [  # quote headers alone (history not ">"-prefixed, as Outlook and some mobile clients send it)
        ("Gracias\n\nEl lun, 3 jun 2024 a las 10:00, Soporte <s@d> escribió:\nold text", "Gracias"),
        ("Grazie\n\nIl giorno lun 3 giu 2024 alle 10:00 Supporto <s@d> ha scritto:\nold text", "Grazie"),
        ("Obrigado\n\nEm seg., 3 de jun. de 2024 às 10:00, Suporte <s@d> escreveu:\nold text", "Obrigado"),
        ("Bedankt\n\nOp ma 3 jun 2024 om 10:00 schreef Support <s@d>:\nold text", "Bedankt"),
        ("Dziękuję\n\nW dniu 3.06.2024 o 10:00, Support <s@d> napisał:\nold text", "Dziękuję"),
        ("Дякую\n\n3 черв. 2024 р. о 10:00 Support <s@d> написав:\nold text", "Дякую"),
        ("Teşekkürler\n\n3 Haz 2024 Pzt, 10:00 tarihinde Destek <s@d> şunu yazdı:\nold text", "Teşekkürler"),
        ("მადლობა!\n\nორშ, 3 ივნ. 2024, 10:00 Support <s@d>-მა დაწერა:\nძველი ტექსტი", "მადლობა!"),
        ("አመሰግናለሁ\n\nሰኞ፣ 3 ጁን 2024 10:00 ላይ Support <s@d> ጻፈ:\nየቆየ ጽሑፍ", "አመሰግናለሁ"),
        ("Баярлалаа\n\n2024 оны 6-р сарын 3, Даваа 10:00-д Support <s@d> бичсэн:\nхуучин текст", "Баярлалаа"),
        ("ధన్యవాదాలు\n\nసోమ, 3 జూన్ 2024 10:00కి Support <s@d> ఇలా రాశారు:\nపాత వచనం", "ధన్యవాదాలు"),
        ("Got it\n\n-----Ursprüngliche Nachricht-----\nVon: Support\nGesendet: Montag\n\nalt", "Got it"),
        ("OK\n\nVon: Support <s@d>\nGesendet: Montag, 3. Juni 2024 10:00\nAn: Ann\n\nalt", "OK"),
        ("Понял\n\nОт: Support <s@d>\nОтправлено: 3 июня 2024 г. 10:00\nКому: Ann\n\nстарое", "Понял"),
        ("Danke\n\nVon meinem iPhone gesendet", "Danke"),
        ("Merci\n\nEnvoyé de mon iPhone", "Merci"),
        ("Thanks\n\nGet Outlook for Android", "Thanks"),
    ],
)
def test_quote_headers_and_signatures_in_many_languages_are_folded(text: str, visible: str) -> None:
    folded = fold_text(text)
    assert folded.visible == visible
    assert folded.has_folded


@given(
    st.from_regex(r"[A-Za-z][A-Za-z0-9 _'.,-]{0,10}", fullmatch=True),
    st.from_regex(r"[a-z0-9._+-]{1,8}@[a-z0-9-]{1,8}\.[a-z]{2,4}", fullmatch=True),
    st.sampled_from(["{name} <{address}>", "\"{name}\" <{address}>", "{address}", "<{address}>", "{address} ({name})"]),
)
def test_plain_address_headers_read_as_policy_default_reads_them(name: str, address: str, shape: str) -> None:
    """The address headers taken as they stand (plain ones) give the addresses and names the
    structured parse gives."""
    from email import policy as email_policy
    from email.parser import BytesParser

    from helpline.mail.parsing import _address_header, _addresses, _header

    value = shape.format(name=name, address=address)
    msg = BytesParser(policy=email_policy.default).parsebytes(f"From: {value}\r\n\r\nhello".encode())
    assert _addresses(_address_header(msg, "From")) == _addresses(_header(msg, "From"))
