"""Inline SVG icons (24×24, stroked) so pages need no icon font or external asset."""

from __future__ import annotations

ICONS: dict[str, str] = {
    "email": '<rect x="3" y="5" width="18" height="14" rx="2"/><path d="m3 7 9 6 9-6"/>',
    "web": '<circle cx="12" cy="12" r="9"/><path d="M3 12h18M12 3a14 14 0 0 1 0 18M12 3a14 14 0 0 0 0 18"/>',
    "portal": '<rect x="3" y="4" width="18" height="16" rx="2"/><path d="M3 9h18M7 6.5h.01M10 6.5h.01"/>',
    "chat": '<path d="M4 5h16v11H9l-5 4z"/><path d="M8 9.5h8M8 12.5h5"/>',
    "phone": '<path d="M5 4h4l2 5-2.5 1.5a11 11 0 0 0 5 5L15 13l5 2v4a2 2 0 0 1-2 2A16 16 0 0 1 3 6a2 2 0 0 1 2-2"/>',
    "sms": '<rect x="6" y="2" width="12" height="20" rx="2"/><path d="M10 18h4M9 7h6M9 10h4"/>',
    "whatsapp": '<path d="M3 21l1.6-4.6A9 9 0 1 1 8 19.5z"/><path d="M9 9.5c.5 2 2.5 4 4.5 4.5"/>',
    "telegram": '<path d="M21 4 3 11l6 2 2 6 3-4 5 4z"/><path d="m9 13 8-6"/>',
    "messenger": (
        '<path d="M12 3C7 3 3 6.6 3 11c0 2.4 1.1 4.5 3 6v4l3.5-2c.8.2 1.6.3 2.5.3 5 0 9-3.6 9-8s-4-8-9-8z"/>'
        '<path d="m7 13 3-3 3 2 4-3"/>'
    ),
    "post": '<path d="M4 6h16v12H4z"/><path d="M15 9h2v2h-2zM7 10h5M7 13h5"/>',
    "api": '<path d="m8 7-5 5 5 5M16 7l5 5-5 5"/>',
    "agent": '<circle cx="12" cy="8" r="4"/><path d="M4 21c0-4 4-6 8-6s8 2 8 6"/>',
    "attachment": '<path d="M21 11 12 20a5 5 0 0 1-7-7l9-9a3.5 3.5 0 0 1 5 5l-9 9a2 2 0 0 1-3-3l8-8"/>',
    "lock": '<rect x="5" y="11" width="14" height="10" rx="2"/><path d="M8 11V7a4 4 0 0 1 8 0v4"/>',
    "eye": '<path d="M2 12s4-7 10-7 10 7 10 7-4 7-10 7S2 12 2 12z"/><circle cx="12" cy="12" r="3"/>',
    "pencil": '<path d="M4 20h4L19 9l-4-4L4 16z"/><path d="m13.5 6.5 4 4"/>',
    "building": '<path d="M4 21V5l8-2v18M12 9h8v12M3 21h18M7 8h2M7 12h2M7 16h2M15 13h2M15 17h2"/>',
    "inbox": '<path d="M3 13h5l1.5 3h5L16 13h5"/><path d="M5 5h14l2 8v6H3v-6z"/>',
    "search": '<circle cx="11" cy="11" r="7"/><path d="m20 20-4-4"/>',
    "history": '<path d="M3 12a9 9 0 1 0 3-6.7L3 8"/><path d="M3 3v5h5M12 7v5l3 2"/>',
    "link": '<path d="M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1"/><path d="M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1"/>',
    "merge": '<circle cx="6" cy="5" r="2"/><circle cx="6" cy="19" r="2"/><circle cx="18" cy="12" r="2"/><path d="M6 7v10M6 9c0 3 4 3 10 3"/>',
    "plus": '<path d="M12 5v14M5 12h14"/>',
    "x": '<path d="M6 6l12 12M18 6 6 18"/>',
    "tag": '<path d="M3 12V3h9l9 9-9 9z"/><circle cx="7.5" cy="7.5" r="1.5"/>',
    "status": '<circle cx="12" cy="12" r="9"/><path d="m8 12 3 3 5-6"/>',
    "star": '<path d="m12 3 2.7 5.6 6.3.9-4.5 4.4 1 6.1L12 17l-5.5 3 1-6.1L3 9.5l6.3-.9z"/>',
    "warning": '<path d="M12 3 2 20h20z"/><path d="M12 10v4M12 17h.01"/>',
    "send": '<path d="M22 2 11 13"/><path d="M22 2 15 22l-4-9-9-4z"/>',
    "user": '<circle cx="12" cy="8" r="4"/><path d="M4 21c0-4 4-6 8-6s8 2 8 6"/>',
}

# Which icon stands for each channel of origin.
CHANNEL_ICONS = {
    "email": "email",
    "web": "web",
    "portal": "portal",
    "chat": "chat",
    "phone": "phone",
    "sms": "sms",
    "whatsapp": "whatsapp",
    "telegram": "telegram",
    "messenger": "messenger",
    "post": "post",
    "api": "api",
    "agent": "agent",
}


def svg(name: str, label: str = "") -> str:
    body = ICONS.get(name, ICONS["chat"])
    aria = f' role="img" aria-label="{label}"' if label else ' aria-hidden="true"'
    return f'<svg class="icon" viewBox="0 0 24 24"{aria}>{body}</svg>'
