"""Nightly checks on the inventory, registered with ``refprogram.nightly``."""
