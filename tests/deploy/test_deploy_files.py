"""The deployment files describe this project: what they run exists, and every setting is documented.

No Docker engine is needed: the files are read as text and YAML. That the production settings pass
`check --deploy` is tests/core/test_deploy_checks.py.
"""

import importlib.util
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import yaml
from django.conf import settings
from django.urls import resolve

from core.views import healthz

ROOT = Path(settings.BASE_DIR)
SERVICES = {"web", "worker", "beat", "postgres", "redis"}
APP_SERVICES = {"web", "worker", "beat"}


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def dockerfile(instruction: str) -> list[str]:
    return [arguments for name, arguments in dockerfile_instructions() if name == instruction]


def as_argv(command: str | list[str]) -> list[str]:
    return command if isinstance(command, list) else shlex.split(command)


def requirement_names(path: Path) -> set[str]:
    return {
        re.split(r"[=<>\[ ;]", line, maxsplit=1)[0].lower()
        for line in path.read_text().splitlines()
        if line and not line.startswith((" ", "#", "-"))
    }


def settings_variables() -> set[str]:
    """Every NAME the settings read with env.<type>("NAME") or env("NAME")."""
    names: set[str] = set()
    for module in (ROOT / "config" / "settings").glob("*.py"):
        names |= set(re.findall(r"\benv(?:\.\w+)?\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']", module.read_text()))
    return names


def env_example_variables() -> set[str]:
    """NAME=value lines, and #NAME=value lines (optional, showing the default)."""
    text = (ROOT / ".env.example").read_text()
    return set(re.findall(r"^#?([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))


def read_outside_the_settings(name: str) -> bool:
    """Read by the project's own code through os.environ, or by docker-compose's ${NAME} interpolation."""
    if f"${{{name}" in (ROOT / "docker-compose.yml").read_text():
        return True
    pattern = re.compile(rf"os\.environ(?:\.get|\.setdefault|\[)\(?\s*[\"']{name}[\"']")
    sources = [ROOT / "manage.py", *ROOT.glob("config/*.py")]
    for app in ("core", "trust", "schools", "reviews", "interventions", "reporting"):
        sources += list((ROOT / app).rglob("*.py"))
    return any(pattern.search(path.read_text()) for path in sources)


# --- docker-compose.yml ---------------------------------------------------------------------


def test_the_compose_file_names_exactly_the_five_services():
    assert set(compose()["services"]) == SERVICES


def test_every_service_has_a_health_check():
    for name, service in compose()["services"].items():
        assert service.get("healthcheck", {}).get("test"), f"{name} has no health check"


def test_the_database_and_the_private_files_live_in_named_volumes():
    data = compose()
    assert {"postgres-data", "private-media"} <= set(data["volumes"])
    assert "postgres-data:/var/lib/postgresql/data" in data["services"]["postgres"]["volumes"]
    media_root = dict(line.split("=", 1) for line in dockerfile("ENV")[0].split() if "=" in line)["PRIVATE_MEDIA_ROOT"]
    for name in ("web", "worker"):  # the web serves the files, the worker writes board packs
        assert f"private-media:{media_root}" in data["services"][name]["volumes"], name


def test_the_app_services_take_their_settings_from_the_env_file_and_wait_for_healthy_services():
    for name in APP_SERVICES:
        service = compose()["services"][name]
        assert service["env_file"] in (".env", [".env"]), name
        assert service["depends_on"] == {
            "postgres": {"condition": "service_healthy"},
            "redis": {"condition": "service_healthy"},
        }, name


def test_postgres_is_15_and_redis_is_7():
    services = compose()["services"]
    assert services["postgres"]["image"].split(":")[1].startswith("15")
    assert services["redis"]["image"].split(":")[1].startswith("7")


def test_the_web_runs_gunicorn_on_the_projects_wsgi_application():
    argv = as_argv(compose()["services"]["web"]["command"])
    assert argv[:2] == ["gunicorn", "config.wsgi"]
    assert importlib.util.find_spec("config.wsgi") is not None
    assert "application = " in (ROOT / "config" / "wsgi.py").read_text()
    assert settings.WSGI_APPLICATION == "config.wsgi.application"


def test_the_worker_and_beat_run_the_projects_celery_app():
    from config import celery_app

    services = compose()["services"]
    assert as_argv(services["worker"]["command"])[:4] == ["celery", "-A", "config", "worker"]
    assert as_argv(services["beat"]["command"])[:4] == ["celery", "-A", "config", "beat"]
    assert celery_app.main == "trustwide"


def queues_consumed(argv: list[str]) -> set[str]:
    return set(argv[argv.index("-Q") + 1].split(",")) if "-Q" in argv else {"celery"}


def test_board_packs_have_their_own_queue_and_every_worker_command_consumes_it():
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    assert settings.CELERY_TASK_ROUTES["reporting.build_board_pack"] == {"queue": "board_packs"}
    worker = as_argv(compose()["services"]["worker"]["command"])
    assert queues_consumed(worker) >= routed | {"celery"}
    makefile = (ROOT / "Makefile").read_text().splitlines()
    make_worker = next(line for line in makefile if "celery" in line and " worker" in line)
    assert queues_consumed(shlex.split(make_worker.strip())) >= routed | {"celery"}


def test_the_programs_the_services_start_are_in_the_runtime_requirements():
    runtime = requirement_names(ROOT / "requirements" / "base.txt")
    for name in APP_SERVICES:
        assert as_argv(compose()["services"][name]["command"])[0] in runtime, name


# --- Dockerfile -----------------------------------------------------------------------------


def test_the_image_is_slim_python_3_11():
    assert dockerfile("FROM")[0].startswith("python:3.11-slim")


def test_the_image_runs_as_a_user_that_is_not_root():
    users = dockerfile("USER")
    assert users
    assert users[-1] not in {"root", "0"}


def test_the_image_installs_the_runtime_requirements_only():
    installs = [run for run in dockerfile("RUN") if "pip install" in run]
    assert installs == ["pip install --no-compile -r requirements/base.txt"]
    assert (ROOT / "requirements" / "base.txt").is_file()
    copies = [copy.split() for copy in dockerfile("COPY")]
    assert ["requirements/base.txt", "requirements/base.txt"] in copies


def test_the_image_installs_the_libraries_weasyprint_needs():
    apt = " ".join(run for run in dockerfile("RUN") if "apt-get install" in run)
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0", "fonts-dejavu-core"):
        assert package in apt


def test_the_image_collects_static_files_with_the_production_settings_and_throwaway_secrets():
    assert "DJANGO_SETTINGS_MODULE=config.settings.production" in dockerfile("ENV")[0]
    collect = next(run for run in dockerfile("RUN") if "collectstatic" in run)
    assert "python manage.py collectstatic --noinput" in collect
    assert (ROOT / "manage.py").is_file()
    for placeholder in ("SECRET_KEY=", "ALLOWED_HOSTS=", "DATABASE_URL=sqlite:///"):
        assert placeholder in collect
    # Set for that one RUN only, never baked into the image's environment.
    assert not any("SECRET_KEY" in env for env in dockerfile("ENV"))


def test_the_image_starts_gunicorn_on_the_projects_wsgi_application_by_default():
    import json

    assert json.loads(dockerfile("CMD")[-1])[:2] == ["gunicorn", "config.wsgi"]


def test_the_image_health_check_asks_the_projects_healthz_page():
    (check,) = dockerfile("HEALTHCHECK")
    assert "http://127.0.0.1:8000/healthz" in check
    assert resolve("/healthz").func is healthz


def test_the_build_context_leaves_out_secrets_and_local_state():
    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    for entry in (".env", ".venv", ".git", "db.sqlite3", "private-media"):
        assert entry in ignored


def test_the_images_collectstatic_step_succeeds_with_the_production_settings(tmp_path):
    # The Dockerfile's build step, with the output sent to a temporary folder: the manifest storage
    # fails the build if a stylesheet names a file that does not exist. WhiteNoise's compression
    # (about two minutes here, and no way to fail) is left to the image build.
    script = (
        "import django; from django.conf import settings; django.setup(); "
        "assert settings.STORAGES['staticfiles']['BACKEND'].endswith('ManifestStaticFilesStorage'); "
        "settings.STORAGES['staticfiles'] = "
        "{'BACKEND': 'django.contrib.staticfiles.storage.ManifestStaticFilesStorage'}; "
        f"settings.STATIC_ROOT = {str(tmp_path / 'static')!r}; "
        "from django.core.management import call_command; call_command('collectstatic', interactive=False, verbosity=0)"
    )
    env = {
        **{key: value for key, value in os.environ.items() if key in {"PATH", "HOME", "LANG", "TMPDIR"}},
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "collectstatic-only-not-a-secret",
        "ALLOWED_HOSTS": "localhost",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'collectstatic.sqlite3'}",
    }
    result = subprocess.run(  # noqa: S603 -- our own interpreter and a fixed script
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "static" / "staticfiles.json").is_file()


# --- .env.example ---------------------------------------------------------------------------


def test_every_variable_the_settings_read_is_documented_in_env_example():
    missing = settings_variables() - env_example_variables()
    assert not missing, f"add these to .env.example with a comment: {sorted(missing)}"


def test_every_variable_in_env_example_is_read_by_the_settings_or_the_stack():
    unread = {name for name in env_example_variables() - settings_variables() if not read_outside_the_settings(name)}
    assert not unread, f"nothing reads these: {sorted(unread)}"


def test_every_variable_in_env_example_has_a_comment_above_it():
    lines = (ROOT / ".env.example").read_text().splitlines()
    for number, line in enumerate(lines):
        if re.match(r"^#?[A-Z][A-Z0-9_]*=", line):
            above = lines[number - 1]
            assert above.startswith("# ") or re.match(r"^#?[A-Z][A-Z0-9_]*=", above), line


# --- S3-compatible storage ------------------------------------------------------------------


def production_check(tmp_path: Path, **extra: str) -> subprocess.CompletedProcess:
    env = {
        **{key: value for key, value in os.environ.items() if key in {"PATH", "HOME", "LANG", "TMPDIR"}},
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "x" * 64,
        "ALLOWED_HOSTS": "trustwide.example",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'storage.sqlite3'}",
        **extra,
    }
    script = "import django; django.setup(); from django.conf import settings; print(settings.STORAGES['default'])"
    return subprocess.run(  # noqa: S603 -- our own interpreter and a fixed script
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_private_files_stay_on_the_local_disk_when_no_bucket_is_named(tmp_path):
    result = production_check(tmp_path)
    assert result.returncode == 0, result.stderr
    assert "FileSystemStorage" in result.stdout


def test_a_bucket_keeps_private_files_private_in_the_s3_store(tmp_path):
    result = production_check(tmp_path, AWS_STORAGE_BUCKET_NAME="trustwide-private")
    assert result.returncode == 0, result.stderr
    assert "storages.backends.s3.S3Storage" in result.stdout
    assert "'default_acl': 'private'" in result.stdout
    assert "'querystring_auth': False" in result.stdout
