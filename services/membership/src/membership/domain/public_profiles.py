"""What members see of each other in the directory and in introductions."""

from dataclasses import dataclass


@dataclass(frozen=True)
class PublicProfile:
    """A person as fellow members see them (contact details are not part of it)."""

    user_id: str
    display_name: str
    handle: str | None = None
    headline: str | None = None
    city: str | None = None
    skills: tuple[str, ...] = ()
    interests: tuple[str, ...] = ()
    asks: tuple[str, ...] = ()
    offers: tuple[str, ...] = ()

    @classmethod
    def unknown(cls, user_id: str) -> "PublicProfile":
        """A member without an account profile here yet."""
        return cls(user_id=user_id, display_name="")
