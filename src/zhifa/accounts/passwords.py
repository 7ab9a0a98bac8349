"""Password strength rule beyond Django's built-in validators."""

from __future__ import annotations

import string

from django.core.exceptions import ValidationError

_CLASSES = (
    ("大写字母", set(string.ascii_uppercase)),
    ("小写字母", set(string.ascii_lowercase)),
    ("数字", set(string.digits)),
)


class CharacterClassValidator:
    """The password mixes at least ``min_classes`` of: upper case, lower case,
    digits, other characters (the usual 等保 rule)."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def _count(self, password: str) -> int:
        chars = set(password)
        count = sum(1 for _, members in _CLASSES if chars & members)
        known = set().union(*(members for _, members in _CLASSES))
        return count + (1 if chars - known else 0)

    def validate(self, password: str, user=None) -> None:
        if self._count(password) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return f"密码须包含大写字母、小写字母、数字、其他符号中的至少 {self.min_classes} 类。"
