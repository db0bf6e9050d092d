"""一件事帮代办工作台: the core (cases, catalog, rules, ID numbers, store). Imports no Qt."""

__version__ = "0.1.0"
