# The supervision tests' fixtures: 2026's calendar, an uploads folder and the
# teams of two agencies of the demo county.
from zhifa.supervision.tests.conftest import (  # noqa: F401
    _uploads_dir,
    calendar_2026,
    market,
    safety,
)
