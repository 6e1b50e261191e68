"""Config-driven training: a TOML file with defaults, overridable per run, validated with clear errors.

The settings are a pydantic model, like the lesson format: each field says its
type and range, and a bad value is reported as ``<file or parameter>: <key>:
<what was expected>, got <value>``.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt, ValidationError
from pydantic_core import ErrorDetails

from shared.events import StepError

DEFAULT_CONFIG = Path(__file__).resolve().parents[2] / "shared" / "configs" / "iris_training.toml"


class ConfigError(StepError, ValueError):
    """A config file or override that does not fit the expected fields.

    A step that meets one says no in one line (the file or parameter, the key, what was expected), no traceback.
    """


class IrisTrainingConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    n_estimators: StrictInt = Field(100, ge=1, le=5000, description="trees in the forest")
    max_depth: StrictInt = Field(0, ge=0, le=1000, description="0: grow each tree until its leaves are pure")
    min_samples_leaf: StrictInt = Field(1, ge=1, le=1000)
    test_size: StrictFloat = Field(0.2, ge=0.05, le=0.95, description="share of rows held out for the test set")
    random_state: StrictInt = Field(42, ge=0, le=2**32 - 1, description="seed for the split and the forest")
    trees_per_round: StrictInt = Field(10, ge=1, le=5000, description="grow in rounds, report test accuracy after each")

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump()


def _normalised(key: str, value: Any) -> Any:
    """5.0 is an integer count and 1 a float share: TOML and JSON parameters write numbers either way."""
    annotation = IrisTrainingConfig.model_fields[key].annotation if key in IrisTrainingConfig.model_fields else None
    if isinstance(value, bool):
        return value
    if annotation is int and isinstance(value, float) and value.is_integer():
        return int(value)
    if annotation is float and isinstance(value, int):
        return float(value)
    return value


def _explain(origin: str, error: ErrorDetails) -> str:
    key = ".".join(str(part) for part in error["loc"])
    known = sorted(IrisTrainingConfig.model_fields)
    if error["type"] == "extra_forbidden":
        return f"{origin}: {key}: unknown setting; expected one of {known}"
    field = IrisTrainingConfig.model_fields[str(error["loc"][0])]
    low = next((m.ge for m in field.metadata if getattr(m, "ge", None) is not None), None)
    high = next((m.le for m in field.metadata if getattr(m, "le", None) is not None), None)
    if error["type"] in ("greater_than_equal", "less_than_equal"):
        return f"{origin}: {key}: expected a value from {low:g} to {high:g}, got {error['input']!r}"
    kind = "an integer" if field.annotation is int else "a number"
    return f"{origin}: {key}: expected {kind}, got {error['input']!r}"


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
        if isinstance(table, dict):
            flat.update(table)
        else:
            flat[section] = table
    values: dict[str, Any] = {}
    for origin, mapping in ((str(source), flat), ("parameter", overrides)):
        try:
            IrisTrainingConfig.model_validate({**values, **{k: _normalised(k, v) for k, v in mapping.items()}})
        except ValidationError as exc:
            raise ConfigError(_explain(origin, exc.errors()[0])) from None
        values.update({k: _normalised(k, v) for k, v in mapping.items()})
    return IrisTrainingConfig(**values)
