"""``python -m cerchia_chassis.dlq``."""

import sys

from cerchia_chassis.dlq.cli import main

sys.exit(main())
