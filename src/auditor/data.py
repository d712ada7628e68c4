"""Where the shipped data lives: inside the wheel (`auditor/_data`) or in the checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DATA = Path(__file__).parent / "_data"
_CHECKOUT = Path(__file__).resolve().parents[2]

_CHECKOUT_NAMES = {"controls": "controls", "reports": "reports", "demo": "fixtures/demo"}


def data_dir(name: str) -> Path:
    """`controls`, `reports` or `demo`: the wheel's copy if installed, else the checkout's."""
    packaged = _PACKAGE_DATA / name
    if packaged.is_dir():
        return packaged
    return _CHECKOUT / _CHECKOUT_NAMES[name]
