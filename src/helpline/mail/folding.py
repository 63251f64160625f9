"""Separate what the sender wrote now from quoted history and signatures.

Quote headers in many languages and the markers of Outlook, Gmail, Apple Mail and Thunderbird
are recognised; everything from the first marker on is folded (kept, shown on demand).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A line that introduces quoted history. Patterns are matched against one line (or two joined
# lines, since clients wrap long headers).
_QUOTE_HEADERS = [
    r"^on\b.{3,200}\bwrote:\s*$",  # en (Gmail, Thunderbird, Apple Mail)
    r"^on\b.{3,200}, at \b.{3,200}\bwrote:\s*$",  # Apple Mail
    r"^am\b.{3,200}\bschrieb\b.{0,200}:\s*$",  # de
    r"^le\b.{3,200}\ba [ée]crit\s*:\s*$",  # fr
    r"^el\b.{3,200}\bescribi[óo]\s*:\s*$",  # es
    r"^il\b.{3,200}\bha scritto\s*:\s*$",  # it
    r"^em\b.{3,200}\bescreveu\s*:\s*$",  # pt
    r"^op\b.{3,200}\bschreef\b.{0,200}:\s*$",  # nl
    r"^w dniu\b.{3,200}\bnapisa[łl]\(?a?\)?\s*:\s*$",  # pl
    r"^.{3,200}\s(пишет|написал|написала|написал\(а\))\s*:\s*$",  # ru
    r"^.{3,200}\s(написав|написала)\s*:\s*$",  # uk
    r"^.{3,200}(のメッセージ|は書きました)\s*:\s*$",  # ja
    r"^.{0,200}\d{4}年\d{1,2}月\d{1,2}日.{0,200}<[^>]+>\s*[:：]\s*$",  # ja/zh Gmail
    r"^在.{3,200}(写道|寫道)\s*[:：]\s*$",  # zh
    r"^.{3,200}\s(yazdı|skrev|kirjoitti|napsal|írta)\s*:\s*$",  # tr, da/no/sv, fi, cs, hu
    r"^.{3,200}დაწერა\s*:\s*$",  # ka
    r"^.{3,200}(ጻፈ|ጽፏል)\s*[:：]\s*$",  # am
    r"^.{3,200}(бичсэн|бичжээ)\s*:\s*$",  # mn
    r"^.{3,200}(ఇలా\s+రాశారు|రాశారు)\s*:\s*$",  # te
    r"^-{2,}\s*(original message|ursprüngliche nachricht|message d'origine|mensaje original|"
    r"messaggio originale|исходное сообщение|oorspronkelijk bericht|forwarded message)\s*-{2,}\s*$",
    r"^_{20,}\s*$",  # Outlook web separator
    r"^-{3,} on .{3,200} wrote -{3,}\s*$",  # Zoho
]
_QUOTE_HEADER_RE = [re.compile(p, re.IGNORECASE) for p in _QUOTE_HEADERS]
# Outlook desktop: a block starting "From:" followed within a few lines by "Sent:"/"Date:".
_OUTLOOK_FROM = re.compile(r"^\*?(from|von|de|da|van|от|od|差出人|发件人|寄件者)\s*:\*?\s", re.IGNORECASE)
_OUTLOOK_SENT = re.compile(
    r"^\*?(sent|date|gesendet|envoyé|enviado|inviato|verzonden|отправлено|дата|wysłano|送信日時|发送时间|日期)\s*:",
    re.IGNORECASE,
)
_SIGNATURE_LINES = re.compile(
    r"^(-- ?|sent from my \w+.*|get outlook for \w+.*|von meinem \w+ gesendet|"
    r"envoyé de mon \w+.*|enviado desde mi \w+.*|отправлено с \w+.*|inviato da \w+.*)\s*$",
    re.IGNORECASE,
)
_HTML_MARKERS = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r'<div[^>]+class="?gmail_quote',
        r'<blockquote[^>]+type="?cite',
        r'<div[^>]+id="?appendonsend',
        r'<div[^>]+id="?divRplyFwdMsg',
        r'<div[^>]+class="?moz-cite-prefix',
        r'<div[^>]+class="?yahoo_quoted',
        r'<hr[^>]+id="?stopSpelling',
        r'<div[^>]+style="border:none;\s*border-top:solid #?[A-F0-9]+ 1\.0pt',
        r'<div[^>]+class="?protonmail_quote',
        r'<div[^>]+id="?mail-editor-reference-message-container',
    )
]


@dataclass(frozen=True)
class Folded:
    visible: str
    folded: str

    @property
    def has_folded(self) -> bool:
        return bool(self.folded.strip())


def _cut_index(lines: list[str]) -> int | None:
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        if (
            i > 0
            and stripped.startswith(">")
            and all(not rest.strip() or rest.lstrip().startswith(">") for rest in lines[i : i + 3])
        ):
            return i
        for candidate in (stripped, (stripped + " " + lines[i + 1].strip()) if i + 1 < len(lines) else ""):
            if candidate and any(p.match(candidate) for p in _QUOTE_HEADER_RE):
                return i
        if _OUTLOOK_FROM.match(stripped) and any(_OUTLOOK_SENT.match(x.strip()) for x in lines[i + 1 : i + 5]):
            return i
        if i > 0 and (line.rstrip("\n") == "-- " or _SIGNATURE_LINES.match(stripped)):
            return i
    return None


def fold_text(text: str) -> Folded:
    lines = text.split("\n")
    cut = _cut_index(lines)
    if cut is None:
        return Folded(visible=text.strip(), folded="")
    visible = "\n".join(lines[:cut]).strip()
    if not visible:  # nothing above the marker (top-quoted forward): show it all
        return Folded(visible=text.strip(), folded="")
    return Folded(visible=visible, folded="\n".join(lines[cut:]).strip())


def fold_html(html: str) -> Folded:
    positions = [m.start() for p in _HTML_MARKERS if (m := p.search(html))]
    if not positions:
        return Folded(visible=html, folded="")
    cut = min(positions)
    visible = html[:cut]
    if not re.sub(r"<[^>]+>|&nbsp;|\s", "", visible):
        return Folded(visible=html, folded="")
    return Folded(visible=visible, folded=html[cut:])
