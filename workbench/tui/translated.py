"""Screens whose footer speaks the current language.

Textual reads a binding's description from the class-level ``BINDINGS``; the
footer asks the screen for ``active_bindings``, so that is where the
description is looked up in the catalogue (English stays as written).
"""

from __future__ import annotations

import dataclasses

from textual.binding import ActiveBinding
from textual.screen import ModalScreen, Screen, ScreenResultType

from workbench.i18n import ENGLISH, language, t


def translated(bindings: dict[str, ActiveBinding]) -> dict[str, ActiveBinding]:
    if language() == ENGLISH:
        return bindings
    return {
        key: active._replace(binding=dataclasses.replace(active.binding, description=t(active.binding.description)))
        for key, active in bindings.items()
    }


class WorkbenchScreen(Screen):
    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        return translated(super().active_bindings)


class WorkbenchModal(ModalScreen[ScreenResultType]):
    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        return translated(super().active_bindings)
