"""``python -m cerchia_devstack``: the same as the ``cerchia-stack`` command."""

from cerchia_devstack.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
