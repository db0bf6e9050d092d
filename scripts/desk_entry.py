"""Entry point frozen by build.spec for all three executables of the bundle, told apart by their own name:
`yijianshi-hub` runs the county hub (`python -m hub`), the others the desk (`python -m desktop`: the desk
itself with no arguments, a command otherwise)."""

import multiprocessing
import sys
from pathlib import Path

# A process spawned by the desk (the ledger's page helper, desktop/forms/ledgerpages.py) starts this same
# executable: here it runs its target and exits instead of starting the desk.
multiprocessing.freeze_support()

if Path(sys.executable).stem.lower() == "yijianshi-hub":
    from hub.cli import main

    raise SystemExit(main())
else:
    from desktop.cli.common import run_standalone
    from desktop.cli.main import main

    run_standalone(main)
