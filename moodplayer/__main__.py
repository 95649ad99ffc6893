"""Allow ``python -m moodplayer``."""
from moodplayer.cli import main

raise SystemExit(main())
