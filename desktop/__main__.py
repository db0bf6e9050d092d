"""`python -m desktop`: the command line and the desk share this entry point."""

from desktop.cli.common import run_standalone
from desktop.cli.main import main

run_standalone(main)
