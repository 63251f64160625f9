"""Small attachments the demo customers send: a photo of a damaged box and scanned customs papers.

Made in code (a few hundred bytes each) so the package ships no binary files.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable

from helpline.tickets.attachments import IncomingFile


def _png(width: int, height: int, pixel: Callable[[int, int], tuple[int, int, int]]) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(width)) for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


def _box_pixel(x: int, y: int) -> tuple[int, int, int]:
    """A cardboard box on a pale wall, with a dark dent in one corner."""
    if 16 <= x < 80 and 14 <= y < 56:
        if (x - 70) ** 2 + (y - 20) ** 2 < 60:
            return (92, 64, 36)
        if y in (14, 55) or x in (16, 79) or y == 34:
            return (120, 84, 48)
        return (196, 150, 96)
    return (236, 232, 224)


def _pdf(lines: list[str]) -> bytes:
    """A one-page PDF with a few lines of text (Latin only: the invoice is the sender's, in English)."""
    text = "BT /F1 12 Tf 56 780 Td 16 TL " + " ".join(f"({line}) '" for line in lines) + " ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text.encode("latin-1") + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def attachment(kind: str, order: str = "") -> list[IncomingFile]:
    if kind == "photo":
        return [IncomingFile(filename="damaged-box.png", content=_png(96, 70, _box_pixel))]
    if kind == "documents":
        invoice = _pdf(["COMMERCIAL INVOICE", f"Order {order}", "1 x Cashmere scarf  USD 120.00", "Total USD 120.00"])
        passport = _png(64, 40, lambda x, y: (210, 220, 235) if 4 < x < 60 and 4 < y < 36 else (250, 250, 250))
        return [
            IncomingFile(filename=f"invoice-{order or 'parcel'}.pdf", content=invoice),
            IncomingFile(filename="id-card-scan.png", content=passport),
        ]
    return []
