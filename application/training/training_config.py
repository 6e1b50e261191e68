"""Config-driven training: a TOML file with defaults, overridable per run, validated with clear errors."""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

DEFAULT_CONFIG = Path(__file__).resolve().parents[2] / "shared" / "configs" / "iris_training.toml"


class ConfigError(ValueError):
    """A config file or override that does not fit the expected fields."""


@dataclass(frozen=True)
class IrisTrainingConfig:
    n_estimators: int = 100
    max_depth: int = 0
    min_samples_leaf: int = 1
    test_size: float = 0.2
    random_state: int = 42
    trees_per_round: int = 10

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


_RULES: dict[str, tuple[type, float, float]] = {
    "n_estimators": (int, 1, 5000),
    "max_depth": (int, 0, 1000),
    "min_samples_leaf": (int, 1, 1000),
    "test_size": (float, 0.05, 0.95),
    "random_state": (int, 0, 2**32 - 1),
    "trees_per_round": (int, 1, 5000),
}


def _check(source: str, key: str, value: Any) -> Any:
    kind, low, high = _RULES[key]
    ok_type = isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind is int and ok_type and float(value).is_integer():
        value = int(value)
    elif kind is int or not ok_type:
        raise ConfigError(f"{source}: {key}: expected {'an integer' if kind is int else 'a number'}, got {value!r}")
    if not low <= value <= high:
        raise ConfigError(f"{source}: {key}: expected a value from {low:g} to {high:g}, got {value!r}")
    return kind(value)


def load_config(path: str | Path | None = None, **overrides: Any) -> IrisTrainingConfig:
    """Read ``path`` (default: shared/configs/iris_training.toml), flatten its tables, apply overrides."""
    source = Path(path) if path else DEFAULT_CONFIG
    try:
        raw = tomllib.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{source}: config file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from None
    flat: dict[str, Any] = {}
    for section, table in raw.items():
        if not isinstance(table, dict):
            flat[section] = table
            continue
        for key, value in table.items():
            flat[key] = value
    known = {f.name for f in fields(IrisTrainingConfig)}
    values: dict[str, Any] = {}
    for origin, mapping in ((str(source), flat), ("parameter", overrides)):
        for key, value in mapping.items():
            if key not in known:
                raise ConfigError(f"{origin}: {key}: unknown setting; expected one of {sorted(known)}")
            values[key] = _check(origin, key, value)
    return IrisTrainingConfig(**values)
