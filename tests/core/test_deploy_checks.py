"""Production settings pass Django's deployment checklist with no warning at all.

Settings are process-wide, so the check runs in a fresh Python process with the production
settings module and the environment a real deployment gives it.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.conf import settings

CHECK = (
    "import django; django.setup(); "
    "from django.core.management import call_command; "
    "call_command('check', deploy=True, fail_level='WARNING')"
)


def production_environment(tmp_path: Path) -> dict[str, str]:
    inherited = {key: value for key, value in os.environ.items() if key in {"PATH", "HOME", "LANG", "TMPDIR"}}
    return {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(64),  # 86 random characters, as a deployment would have
        "ALLOWED_HOSTS": "trustwide.example",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy-check.sqlite3'}",
    }


def test_production_settings_pass_check_deploy_at_warning_level(tmp_path):
    result = subprocess.run(  # noqa: S603 -- our own interpreter and a fixed script
        [sys.executable, "-c", CHECK],
        cwd=settings.BASE_DIR,
        env=production_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_production_setting_that_is_weakened_fails_the_check(tmp_path):
    # The control: the same run does fail when a deployment setting is wrong.
    weakened = CHECK.replace("django.setup(); ", "django.setup(); from django.conf import settings as s; ")
    weakened = weakened.replace("call_command(", "s.SESSION_COOKIE_SECURE = False; call_command(")
    result = subprocess.run(  # noqa: S603 -- our own interpreter and a fixed script
        [sys.executable, "-c", weakened],
        cwd=settings.BASE_DIR,
        env=production_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "security.W012" in result.stdout + result.stderr
