"""Validate a Kubernetes object offline against the API's JSON schemas (shipped inside kubernetes-validate).

Strict mode also rejects fields the API does not know: a misspelt
``replica:`` would otherwise be silently ignored by the cluster.
"""

from __future__ import annotations

from typing import Any

KUBERNETES_VERSION = "1.33.0"  # the API version validated against; kubernetes-validate ships 1.25 … its latest


def schema_check(doc: dict[str, Any], version: str, strict: bool = True) -> str | None:
    """None when ``doc`` matches the Kubernetes ``version`` schema, else the schema's message with the field path."""
    import kubernetes_validate
    from kubernetes_validate.utils import SchemaNotFoundError, VersionNotSupportedError

    try:
        kubernetes_validate.validate(doc, version, strict=strict)
        return None
    except kubernetes_validate.ValidationError as exc:
        path = ".".join(str(item) for item in exc.path) or "(top level)"
        return f"{path}: {exc.message}"
    except SchemaNotFoundError as exc:
        return exc.message
    except VersionNotSupportedError:
        from kubernetes_validate.utils import all_versions

        raise RuntimeError(
            f"kubernetes_version parameter: {version} is not shipped with kubernetes-validate "
            f"(it has {all_versions()[0]} … {all_versions()[-1]})"
        ) from None
