"""One typed reader for every setting that comes from the environment.

All of Zhifa's configuration enters through ``Env``: each value is read once,
converted to its type, and a malformed value stops the start with a message
that names the variable, instead of failing later in some request.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ImproperlyConfigured

_MISSING: Any = object()
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class Env:
    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self._environ = os.environ if environ is None else environ

    def _raw(self, name: str, default: Any) -> Any:
        if name in self._environ:
            return self._environ[name]
        if default is _MISSING:
            raise ImproperlyConfigured(f"环境变量 {name} 未设置（{name} is required）。")
        return default

    def str(self, name: str, default: Any = _MISSING) -> Any:
        return self._raw(name, default)

    def bool(self, name: str, default: Any = _MISSING) -> Any:
        value = self._raw(name, default)
        if isinstance(value, bool) or value is None:
            return value
        lowered = value.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ImproperlyConfigured(f"环境变量 {name} 应为 1/0 或 true/false，实际为 {value!r}。")

    def int(self, name: str, default: Any = _MISSING) -> Any:
        value = self._raw(name, default)
        if isinstance(value, int) or value is None:
            return value
        try:
            return int(value.strip())
        except ValueError:
            raise ImproperlyConfigured(f"环境变量 {name} 应为整数，实际为 {value!r}。") from None

    def list(self, name: str, default: Any = _MISSING) -> Any:
        value = self._raw(name, default)
        if isinstance(value, list):
            return value
        return [item.strip() for item in value.split(",") if item.strip()]


env = Env()
