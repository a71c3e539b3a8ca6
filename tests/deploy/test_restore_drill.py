"""The restore drill of docs/deploy.md ("Backups and the restore drill"), step by step.

Dump the database with pg_dump, restore it into a new database with pg_restore, and find every
table with the same number of rows; archive the private files with tar and find them unchanged.
The database half needs PostgreSQL: CI's second stage runs the suite with DATABASE_URL set to it.
"""

import hashlib
import os
import shutil
import subprocess
import tarfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.db import connection

from tests.factories import TrustFactory

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
TOOLS = ("pg_dump", "createdb", "pg_restore", "dropdb")


def client_environment() -> dict[str, str]:
    """PG* variables for the client programs: the test database's own connection settings."""
    params = connection.settings_dict
    env = {**os.environ, "PGDATABASE": params["NAME"]}
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD")):
        if params.get(key):
            env[variable] = str(params[key])
    return env


def run(*argv: str) -> None:
    result = subprocess.run(argv, env=client_environment(), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{' '.join(argv)} failed:\n{result.stderr}"


def row_counts(database: str) -> dict[str, int]:
    """Rows in every table of the public schema."""
    params = connection.settings_dict
    with (
        psycopg2.connect(
            dbname=database,
            host=params.get("HOST") or None,
            port=params.get("PORT") or None,
            user=params.get("USER") or None,
            password=params.get("PASSWORD") or None,
        ) as conn,
        conn.cursor() as cursor,
    ):
        cursor.execute(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
        )
        tables = [name for (name,) in cursor.fetchall()]
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 -- names from the catalogue
            counts[table] = cursor.fetchone()[0]
    conn.close()
    return counts


@pytest.fixture
def restored_database() -> Iterator[str]:
    """The name of a new, empty database; dropped afterwards whatever happened."""
    name = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    yield name
    subprocess.run(["dropdb", "--if-exists", name], env=client_environment(), capture_output=True, timeout=60)


NEEDS_POSTGRESQL = "the restore drill needs PostgreSQL (set DATABASE_URL): SQLite has no pg_dump"


@pytest.mark.skipif(not ON_POSTGRESQL, reason=NEEDS_POSTGRESQL)
@pytest.mark.django_db(transaction=True)  # pg_dump runs in another session: the data must be committed
def test_a_database_dump_restores_into_a_new_database_with_every_row(trust_a, trust_b, restored_database, tmp_path):
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    assert not missing, f"the drill needs the PostgreSQL client programs: {missing}"
    TrustFactory.create_batch(3)
    source = connection.settings_dict["NAME"]
    dump = tmp_path / "trustwide.dump"

    # 1. Back up: a custom-format dump, without owners, so it restores under any role.
    run("pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={dump}", source)
    # 2. Restore into a new database.
    run("createdb", restored_database)
    run("pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", f"--dbname={restored_database}", str(dump))
    # 3. Compare: the same tables, each with the same number of rows.
    before, after = row_counts(source), row_counts(restored_database)

    assert after == before
    assert before["trust_trust"] == 5  # the drill moved real data, not empty tables
    assert before["trust_membership"] > 0
    assert before["schools_school"] > 0


def file_digests(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def test_the_private_files_archive_restores_every_file_unchanged(tmp_path):
    media_root = tmp_path / "private-media"
    files = {"evidence/1/self-evaluation.pdf": b"%PDF-1.7 ...", "board-packs/2/pack.pdf": b"\x00\x01"}
    for name, content in files.items():
        (media_root / name).parent.mkdir(parents=True, exist_ok=True)
        (media_root / name).write_bytes(content)
    archive, restored = tmp_path / "private-media.tar.gz", tmp_path / "restored"
    restored.mkdir()
    tar = shutil.which("tar")
    if tar is None:
        pytest.skip("no tar program here")

    # The same commands as docs/deploy.md: archive relative to the root, extract into an empty folder.
    subprocess.run([tar, "-czf", str(archive), "-C", str(media_root), "."], check=True, timeout=60)
    subprocess.run([tar, "-xzf", str(archive), "-C", str(restored)], check=True, timeout=60)

    assert file_digests(restored) == file_digests(media_root)
    with tarfile.open(archive) as opened:  # paths are relative: restoring never writes outside the folder
        assert all(not member.name.startswith("/") and ".." not in member.name for member in opened.getmembers())
