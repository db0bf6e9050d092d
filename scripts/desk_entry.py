"""Entry point frozen by build.spec for all three executables of the bundle, told apart by their own name:
`yijianshi-hub` runs the county hub (`python -m hub`), the others the desk (`python -m desktop`: the desk
itself with no arguments, a command otherwise)."""

import sys
from pathlib import Path

if Path(sys.executable).stem.lower() == "yijianshi-hub":
    from hub.cli import main
else:
    from desktop.cli.main import main

raise SystemExit(main())
