"""Settings of a document: pyproject.toml first, the client's settings on top."""

from __future__ import annotations

from pathlib import Path

import pytest

from leak_lsp.analysis.config import ConfigError
from leak_lsp.server.settings import SettingsStore, client_overrides


def _project(tmp_path: Path, section: str) -> Path:
    (tmp_path / "pyproject.toml").write_text(f"[tool.leak-lsp]\n{section}\n", encoding="utf-8")
    return tmp_path / "handler.py"


def test_the_pyproject_section_applies_to_a_file_below_it(tmp_path: Path) -> None:
    handler = _project(tmp_path, 'ignore = ["EL101"]')
    assert not SettingsStore().settings_for(str(handler)).is_enabled("EL101")


def test_client_settings_override_the_pyproject_section(tmp_path: Path) -> None:
    handler = _project(tmp_path, 'ignore = ["EL101"]')
    store = SettingsStore()
    store.set_client_settings({"extend-select": ["EL101"], "ignore": ["EL102"]})  # the overlay of docs/configuration.md
    settings = store.settings_for(str(handler))
    assert settings.is_enabled("EL101") and not settings.is_enabled("EL102")


def test_a_pyproject_change_is_picked_up_after_pyproject_changed(tmp_path: Path) -> None:
    handler = _project(tmp_path, 'ignore = ["EL101"]')
    store = SettingsStore()
    store.settings_for(str(handler))
    _project(tmp_path, "ignore = []")
    store.pyproject_changed()
    assert store.settings_for(str(handler)).is_enabled("EL101")


def test_keys_of_the_editor_extension_and_null_values_are_not_analysis_settings() -> None:
    assert client_overrides({"interpreter": ["/usr/bin/python3"], "select": None, "ignore": ["EL9"]}) == {"ignore": ["EL9"]}


def test_a_client_setting_of_the_wrong_type_is_a_config_error_and_keeps_the_previous_settings() -> None:
    store = SettingsStore()
    store.set_client_settings({"ignore": ["EL101"]})
    with pytest.raises(ConfigError):
        store.set_client_settings({"ignore": 3})
    assert not store.client_only().is_enabled("EL101")


def test_a_malformed_pyproject_is_a_config_error(tmp_path: Path) -> None:
    handler = _project(tmp_path, "ignore = 3")
    with pytest.raises(ConfigError):
        SettingsStore().settings_for(str(handler))
