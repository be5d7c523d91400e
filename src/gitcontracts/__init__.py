"""gitcontracts: coordinate many agents through one git repository.

The library is the product; the ``gitcontracts`` command is a thin caller of
:mod:`gitcontracts.api`. Heavy modules are imported lazily so that a commit
hook or a do-nothing command starts fast.
"""
from __future__ import annotations

__version__ = "0.1.0"
