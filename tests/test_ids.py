"""Record ids are random UUIDs (version 4, RFC 9562), written in their canonical form."""

from __future__ import annotations

import re
import uuid

from adherelog.session import new_id

CANONICAL = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


def test_new_ids_are_canonical_random_uuids() -> None:
    ids = [new_id() for _ in range(2000)]
    assert len(set(ids)) == len(ids)
    for value in ids:
        assert CANONICAL.fullmatch(value), value
        parsed = uuid.UUID(value)
        assert (parsed.version, parsed.variant) == (4, uuid.RFC_4122)
        assert str(parsed) == value
    # Every random digit varies: no position is stuck (fixed digits are the 4 and the variant).
    for position in set(range(36)) - {8, 13, 14, 18, 19, 23}:
        assert len({value[position] for value in ids}) > 8, position
