"""Entry point frozen by build.spec: the same `main` as `python -m desktop` and the `yijianshi-desk` script."""

from desktop.cli.main import main

raise SystemExit(main())
