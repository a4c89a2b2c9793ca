"""The stock peer (bench/peer/): its databases sit beside the portal's, and the project
itself passes Django's checks at the pinned versions."""

import subprocess

from bench import common


def test_the_peer_database_sits_beside_the_portal_one():
    assert common.peer_url("sqlite:///var/bench.sqlite3") == "sqlite:///var/bench-peer.sqlite3"
    assert (
        common.peer_url("postgres://postgres@127.0.0.1:5432/portal_bench")
        == "postgres://postgres@127.0.0.1:5432/portal_bench_peer"
    )


def test_the_peer_project_passes_django_checks_and_has_its_migrations(tmp_path):
    env = common.peer_environment(f"sqlite:///{tmp_path / 'bench.sqlite3'}")
    for command in (["check"], ["makemigrations", "--check", "--dry-run"]):
        done = subprocess.run([common.PYTHON, "manage.py", *command], cwd=common.PEER, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
