"""The desk's user interface: the only package that imports Qt."""

from desktop.ui import immortal

immortal.apply()  # before any signal is connected: see desktop/ui/immortal.py
