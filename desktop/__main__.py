"""`python -m desktop`: the command line and the desk share this entry point."""

import sys

if getattr(sys, "frozen", False):
    # the bundled desk: a spawned child (the ledger's page helper, desktop/forms/ledgerpages.py) runs its
    # target here and exits, instead of starting the desk
    import multiprocessing

    multiprocessing.freeze_support()

from desktop.cli.main import main

sys.exit(main())
