"""`python -m hub`: the county hub's command line (serve, devices, department statuses)."""

import sys

from hub.cli import main

sys.exit(main())
