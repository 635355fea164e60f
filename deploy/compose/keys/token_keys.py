"""The token-keys job of docker-compose.yml: the notifications service's token key pair.

Membership seals every token it emails (verification, reset, invitation) to the notifications
service's public X25519 key, and only notifications, holding the private half, opens them
(``cerchia_chassis.sealing``). This job writes

- PRIVATE, the opening keys, current first (``NOTIFICATIONS_TOKEN_OPENING_KEYS_FILE``), into a
  volume that only notifications mounts;
- PUBLIC, the current key's public half (``MEMBERSHIP_TOKEN_SEALING_KEY_FILE``), into a volume that
  only membership mounts.

The private key is made on the first run and kept; later runs derive the public key again from
it. ``--rotate`` puts a new key first and keeps the previous one, so that tokens already sealed to
it still open; the next rotation drops the oldest. Then restart notifications (it holds both
keys) before membership (it seals to the new one):

    docker compose run --rm token-keys --rotate
    docker compose up -d --force-recreate notifications
    docker compose up -d --force-recreate membership

The job runs as root with CAP_CHOWN only. The files belong to ``--owner`` (the services' uid) and
to group root, mode 0440 for the private keys, so that the job can read them again next time.
"""

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from cerchia_chassis.sealing import OpeningKey

#: Keys held after a rotation: the new one and the one before it.
KEPT = 2


def keys_after(held_text: str | None, *, rotate: bool) -> list[OpeningKey]:
    """The opening keys to hold: those held (a new one if none), a new one first if rotating."""
    held = [OpeningKey.from_text(part) for part in (held_text or "").replace(",", " ").split()]
    if not held:
        return [OpeningKey.generate()]
    if rotate:
        return [OpeningKey.generate(), *held][:KEPT]
    return held


def write(path: Path, text: str, *, mode: int, owner: int | None) -> None:
    """Replace ``path`` with ``text``: never readable by anyone else, not even for a moment."""
    new = path.with_name(path.name + ".new")
    new.unlink(missing_ok=True)
    descriptor = os.open(new, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
        stream.write(text + "\n")
    os.chmod(new, mode)
    if owner is not None:
        os.chown(new, owner, 0)
    os.replace(new, path)


def main(argv: Sequence[str] | None = None) -> int:
    """Make (once), rotate (on request) and publish the token keys."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("private", type=Path, help="the opening keys (notifications)")
    parser.add_argument("public", type=Path, help="the sealing key (membership)")
    parser.add_argument("--owner", type=int, help="uid owning both files (group root)")
    parser.add_argument("--rotate", action="store_true", help="a new key first, keep one old")
    args = parser.parse_args(argv)
    held = args.private.read_text(encoding="utf-8") if args.private.is_file() else None
    keys = keys_after(held, rotate=args.rotate)
    if held is None or args.rotate:
        text = ",".join(key.private_text() for key in keys)
        write(args.private, text, mode=0o440, owner=args.owner)
    write(args.public, keys[0].public_text(), mode=0o444, owner=args.owner)
    held_ids = ", ".join(key.public.id for key in keys)
    sys.stdout.write(f"token keys: sealed to {keys[0].public.id}; opened with {held_ids}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
