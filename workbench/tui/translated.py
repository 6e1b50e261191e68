"""Screens whose footer speaks the current language and fits in 80 columns.

Textual reads a binding's description from the class-level ``BINDINGS``; the
footer asks the screen for ``active_bindings``, so that is where the
description is looked up in the catalogue (English stays as written), and
where the app's keys a screen does not name in ``FOOTER_APP`` are left out of
its footer (they still work, and the help screen lists them).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from textual.app import App
from textual.binding import ActiveBinding
from textual.screen import ModalScreen, Screen, ScreenResultType

from workbench.i18n import ENGLISH, language, t

if TYPE_CHECKING:
    from workbench.tui.app import WorkbenchApp


def translated(bindings: dict[str, ActiveBinding]) -> dict[str, ActiveBinding]:
    if language() == ENGLISH:
        return bindings
    return {
        key: active._replace(binding=dataclasses.replace(active.binding, description=t(active.binding.description)))
        for key, active in bindings.items()
    }


def footer_only(bindings: dict[str, ActiveBinding], app_actions: tuple[str, ...]) -> dict[str, ActiveBinding]:
    """The app's bindings stay active, but only those in ``app_actions`` are shown in the footer."""
    return {
        key: active
        if not isinstance(active.node, App) or active.binding.action in app_actions or not active.binding.show
        else active._replace(binding=dataclasses.replace(active.binding, show=False))
        for key, active in bindings.items()
    }


class WorkbenchScreen(Screen):
    FOOTER_APP: tuple[str, ...] = ("help",)  # app actions this screen's footer shows

    if TYPE_CHECKING:  # our screens run inside the workbench app: its home, curriculum and progress are typed

        @property
        def app(self) -> WorkbenchApp: ...  # type: ignore[override]  # narrower than App[Any], read-only here

    HELP_TITLE = ""  # the help screen's heading (English; translated when shown)
    HELP = ""  # what this screen is for, in a sentence or three

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        return translated(footer_only(super().active_bindings, self.FOOTER_APP))

    @property
    def alive(self) -> bool:
        """Still on the way to the learner: attached and not being taken down (a worker that finishes after the
        learner left must not touch widgets that are going or gone)."""
        return self.is_attached and not (self._closing or self._closed or self._pruning)

    def reopen(self) -> Screen | None:
        """A fresh copy of this screen (after a language switch), or None to leave it closed."""
        return None


class WorkbenchModal(ModalScreen[ScreenResultType]):
    if TYPE_CHECKING:

        @property
        def app(self) -> WorkbenchApp: ...  # type: ignore[override]  # as WorkbenchScreen.app

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        return translated(footer_only(super().active_bindings, ()))
