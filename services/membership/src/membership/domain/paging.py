"""Where a page continues: membership's cursors hold strings only (ids, slugs, names)."""

from cerchia_chassis.domain.cursors import InvalidCursor, decode_optional

#: The key a page continues after: the last item's id (or slug).
Key = str | None


def after_key(cursor: str | None) -> Key:
    """The key a page continues after; ``InvalidCursor`` unless the cursor holds one string."""
    position = string_position(cursor, arity=1)
    return None if position is None else position[0]


def string_position(cursor: str | None, *, arity: int) -> tuple[str, ...] | None:
    """The position a cursor names, made of ``arity`` strings; ``InvalidCursor`` otherwise."""
    position = decode_optional(cursor, arity=arity)
    if position is None:
        return None
    if not all(isinstance(value, str) for value in position):
        raise InvalidCursor
    return tuple(str(value) for value in position)
