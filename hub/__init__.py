"""The county hub that devices sync to (see issue: sync)."""
