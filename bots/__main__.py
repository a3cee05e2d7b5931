"""``python -m bots`` runs the briefbot command."""

import sys

from bots.cli import main

sys.exit(main())
