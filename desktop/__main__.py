"""`python -m desktop`: the command line and the desk share this entry point."""

import sys

from desktop.cli.main import main

sys.exit(main())
