import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from zhifa.conf.env import Env


def _zhifa(*args, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("ZHIFA_", "DJANGO_"))}
    return subprocess.run(
        [sys.executable, "-m", "zhifa", *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_production_start_without_a_secret_key_fails_clearly(tmp_path):
    result = _zhifa("check", ZHIFA_DATA_DIR=str(tmp_path))
    assert result.returncode == 2
    assert "ZHIFA_SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_production_start_with_its_settings_passes_the_deploy_check(tmp_path):
    result = _zhifa(
        "check",
        "--deploy",
        "--fail-level",
        "ERROR",
        ZHIFA_DATA_DIR=str(tmp_path),
        ZHIFA_SECRET_KEY="x" * 60,
        ZHIFA_ALLOWED_HOSTS="zhifa.example.gov.cn",
    )
    assert result.returncode == 0, result.stderr


def test_env_reads_typed_values_and_names_the_bad_variable():
    env = Env({"A": "1", "B": "off", "N": "15", "L": "a.cn, b.cn", "BAD": "maybe"})
    assert env.bool("A") is True and env.bool("B") is False
    assert env.int("N") == 15
    assert env.list("L") == ["a.cn", "b.cn"]
    assert env.str("MISSING", "default") == "default"
    with pytest.raises(ImproperlyConfigured, match="BAD"):
        env.bool("BAD")
    with pytest.raises(ImproperlyConfigured, match="MISSING"):
        env.int("MISSING")


@pytest.mark.parametrize(
    "weights", ['{"satisfaction": ', '["satisfaction"]', '{"satisfaction": -1}']
)
def test_bad_assessment_weights_stop_the_start_naming_the_variable(tmp_path, weights):
    result = _zhifa(
        "check",
        ZHIFA_DATA_DIR=str(tmp_path),
        ZHIFA_DEBUG="1",
        ZHIFA_SUPERVISION_ASSESSMENT_WEIGHTS=weights,
    )
    assert result.returncode != 0
    assert "ZHIFA_SUPERVISION_ASSESSMENT_WEIGHTS 须为 JSON 对象" in result.stderr
    assert "Traceback" not in result.stderr
