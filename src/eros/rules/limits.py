"""How much one save may carry (DOMAIN §10, §11.2): every size limit of items and certificates, once.

A save past any of them is refused with PAYLOAD_TOO_LARGE and writes nothing, so no request can
grow the database by more than a bounded amount. Each limit sits well above what the sample and
the built-in validator produce (captions ≤ 160 characters, items ≤ 500, certificates ≤ 1.1 kB).
"""

from __future__ import annotations

#: Items per save (DOMAIN §11.2).
MAX_ITEMS = 400
#: Characters of an item's keys and labels: send type, date, time, channel, content type, target
#: (the schema's own keys are ≤ 64 characters: creator ids, content type names).
MAX_KEY_CHARS = 64
#: Characters of an item's `caption_text` (the same bound `validate_caption_structure` takes).
MAX_CAPTION_CHARS = 2_000
#: Characters of one item written as JSON, measured before it is read: whatever the item holds.
MAX_ITEM_CHARS = 4_096
#: Characters of a certificate written as JSON, measured before it is read (room for the largest
#: one the validator signs: 40 recommendations whose every character is escaped).
MAX_CERTIFICATE_CHARS = 32_768
#: A certificate's recommendations: at most this many, each at most this many characters (the
#: validator cuts its list to fit, so what it signs is always accepted).
MAX_RECOMMENDATIONS = 40
MAX_RECOMMENDATION_CHARS = 240
#: The largest integer an item may carry (SQLite's INTEGER; caption ids are looked up by it).
MAX_ITEM_INTEGER = 2**63 - 1
