"""The ``zhifa`` command: Django's ``manage.py`` with Zhifa's settings."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhifa.conf.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018 - loads and validates the settings
    except ImproperlyConfigured as exc:
        sys.stderr.write(f"zhifa：配置错误，无法启动。\n{exc}\n")
        sys.exit(2)
    # Django command names cannot hold a dash; `zhifa verify-package` is `verify_package`.
    if len(sys.argv) > 1 and sys.argv[1] == "verify-package":
        sys.argv[1] = "verify_package"
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
