"""The settings validator the CLI and the server share: client settings are checked as pyproject's are."""

from __future__ import annotations

import pytest

from leak_lsp.analysis.config import ConfigError, Overlay, Settings
from leak_lsp.server.settings import client_overrides


@pytest.mark.parametrize("raw, hint", [
    ({"select": ["EL999"]}, "'EL999' selects no rule"),
    ({"ignore": ["el101"]}, "did you mean EL101?"),
    ({"severity": {"EL101": "errror"}}, "did you mean error?"),
    ({"handlers": ["handler.py"]}, "`handlers`"),
])
def test_client_settings_are_validated_like_pyproject(raw: dict[str, object], hint: str) -> None:
    with pytest.raises(ConfigError, match=hint.replace("?", r"\?")):
        client_overrides(raw)


def test_select_replaces_the_selection_and_the_ignores_below() -> None:
    project = Settings(select=("EL1",), ignore=("EL101",))

    settings = Overlay(select=("EL2",)).apply(project)

    assert (settings.select, settings.ignore) == (("EL2",), ())


def test_ignore_adds_to_the_ignores_below() -> None:
    settings = Overlay(ignore=("EL102",)).apply(Settings(ignore=("EL101",)))

    assert not settings.is_enabled("EL101") and not settings.is_enabled("EL102") and settings.is_enabled("EL103")


def test_extend_select_turns_back_on_what_it_names() -> None:
    settings = Overlay(extend_select=("EL1",)).apply(Settings(select=("EL2",), ignore=("EL101", "EL2")))

    assert settings.is_enabled("EL101") and not settings.is_enabled("EL201")
