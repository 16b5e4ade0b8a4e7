"""Every `dovvy` command, run the wrong way on purpose: one line saying what to do, exit status 2
for usage and configuration errors and 1 for failures, never a traceback, no data lost."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from dovvy.cli import main
from dovvy.db.url import ConnectParams
from tests.conftest import ROOT, url_for


@pytest.fixture(autouse=True)
def _no_inherited_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "DATABASE_URL",
        "DOVVY_DATA_DIR",
        "DOVVY_CONTENT_DIR",
        "GEMINI_API_KEY",
        "EMBEDDING_PROVIDER",
    ):
        monkeypatch.delenv(name, raising=False)


def fails(argv: list[str], capsys: pytest.CaptureFixture[str], status: int, *expected: str) -> str:
    """Run the command in-process; check the status, the one-line message and the absence of a
    traceback. Returns the message."""
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's own usage errors
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    assert code == status, (code, captured.err)
    assert "Traceback" not in captured.err + captured.out
    lines = [line for line in captured.err.splitlines() if line.strip()]
    message = lines[-1]
    assert message.startswith(("dovvy: ", "dovvy ")), captured.err
    for words in expected:
        assert words in message, message
    if status == 1 or not argv or argv[0] not in {"search", "serve", "bench"}:
        assert len(lines) == 1, captured.err
    return message


@pytest.mark.parametrize(
    ("env", "argv", "expected"),
    [
        pytest.param({"DB_TIMEOUT_SECONDS": "nan"}, ["search", "x"], "DB_TIMEOUT_SECONDS", id="timeout-nan"),
        pytest.param({"PORT": "0"}, ["serve"], "PORT", id="port-zero"),
        pytest.param({"DATABASE_URL": "notaurl"}, ["db-url"], "DATABASE_URL", id="db-url-invalid"),
        pytest.param(
            {"DATABASE_URL": "arn:aws:secretsmanager::123456789012:secret:db"},
            ["migrate"],
            "names no region",
            id="arn-without-region",
        ),
    ],
)
def test_configuration_errors_exit_2(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    env: dict[str, str],
    argv: list[str],
    expected: str,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    fails(argv, capsys, 2, expected)


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        pytest.param(["search", "--top-k", "-1", "x"], "--top-k", id="top-k-negative"),
        pytest.param(["search", "--top-k", "0", "x"], "--top-k", id="top-k-zero"),
        pytest.param(["search", "--top-k", "100000", "x"], "--top-k", id="top-k-huge"),
        pytest.param(["serve", "--port", "70000"], "--port", id="port-too-big"),
        pytest.param(["bench", "retrieval", "--queries", "0"], "--queries", id="bench-no-queries"),
        pytest.param(["bench", "retrieval", "--loaders", "two"], "--loaders", id="bench-loaders-word"),
        pytest.param(["bench", "load", "--clients", "-3"], "--clients", id="bench-negative-clients"),
    ],
)
def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str], expected: str) -> None:
    fails(argv, capsys, 2, expected)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        pytest.param(
            '{"id": "n1", "tier": "normal", "kind": "near_miss", "text": "x"}', "'near_miss'", id="kind"
        ),
        pytest.param('{"id": "n1", "tier": "fine", "text": "x"}', "'fine'", id="tier"),
        pytest.param('{"id": "n1", "tier": "normal"}', "string id and text", id="no-text"),
        pytest.param('{"id": "n1", "tier": "normal", "text": "x"', "not JSON", id="not-json"),
    ],
)
def test_a_safety_case_the_eval_cannot_read(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, line: str, expected: str
) -> None:
    """A batch written with another word for a near-miss printed no caution rate, silently."""
    cases = tmp_path / "cases.jsonl"
    cases.write_text(
        '{"id": "e1", "tier": "emergency", "kind": "emergency", "text": "not breathing"}\n' + line + "\n"
    )
    fails(["eval", "safety", "--file", str(cases)], capsys, 2, "cases.jsonl:2:", expected)


def test_a_data_dir_that_is_a_file(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    afile = tmp_path / "data"
    afile.write_text("not a folder")
    monkeypatch.setenv("DOVVY_DATA_DIR", str(afile))
    fails(["search", "x"], capsys, 2, "DOVVY_DATA_DIR", "is a file")


def test_an_unreachable_database_says_so_within_the_timeout(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://dovvy:secret@127.0.0.1:1/dovvy")
    monkeypatch.setenv("DB_TIMEOUT_SECONDS", "2")
    message = fails(["migrate"], capsys, 1, "cannot reach the database", "DATABASE_URL")
    assert "secret" not in message


def test_a_server_that_never_answers_times_out(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as silent:  # accepts connections, never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        monkeypatch.setenv("DATABASE_URL", f"postgresql://dovvy@127.0.0.1:{port}/dovvy")
        monkeypatch.setenv("DB_TIMEOUT_SECONDS", "1")
        fails(["migrate"], capsys, 1, "cannot reach the database")


def test_a_database_that_does_not_exist(
    server_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from dovvy.db.url import parse_database_url

    params = parse_database_url(server_url)
    missing = ConnectParams(user=params.user, database="no_such_db", unix_sock=params.unix_sock)
    monkeypatch.setenv("DATABASE_URL", url_for(missing))
    fails(["search", "x"], capsys, 1, "does not exist")


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["search", "nitrox"], id="search"),
        pytest.param(["sessions", "purge"], id="sessions-purge"),
        pytest.param(["eval", "retrieval"], id="eval-retrieval"),
    ],
)
def test_commands_on_an_unmigrated_database_say_to_migrate(
    fresh_database: ConnectParams,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", url_for(fresh_database))
    fails(argv, capsys, 1, "dovvy migrate")


def test_an_unknown_migration(
    fresh_database: ConnectParams, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", url_for(fresh_database))
    fails(["migrate", "--downgrade", "zzz"], capsys, 2, "zzz")


@pytest.fixture
def migrated(fresh_database: ConnectParams, monkeypatch: pytest.MonkeyPatch) -> ConnectParams:
    from dovvy.db import migrate

    migrate.upgrade(fresh_database)
    monkeypatch.setenv("DATABASE_URL", url_for(fresh_database))
    return fresh_database


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        pytest.param(["search", "..."], "no words", id="punctuation-query"),
        pytest.param(["search", "--doc-type", "blog", "x"], "--doc-type blog", id="unknown-doc-type"),
        pytest.param(["search", "--certification", "jedi", "x"], "--certification", id="unknown-level"),
        pytest.param(
            ["search", "--destination", "mars", "x"], "--destination 'mars'", id="unknown-destination"
        ),
    ],
)
def test_search_says_what_is_wrong_with_the_question(
    migrated: ConnectParams,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    expected: str,
    tmp_path: Path,
) -> None:
    doc = tmp_path / "a.md"
    doc.write_text("---\ntitle: Nitrox\ndoc_type: general\n---\n\n## Air\n\nEnriched air has more oxygen.\n")
    assert main(["ingest", str(doc)]) == 0
    capsys.readouterr()
    status = 2
    fails(argv, capsys, status, expected)


@pytest.mark.parametrize("argv", [["search", "nitrox"], ["eval", "retrieval"]])
def test_an_empty_knowledge_base_is_named(
    migrated: ConnectParams, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    fails(argv, capsys, 1, "knowledge base is empty", "dovvy ingest")


def test_content_embedded_with_another_model_is_named(
    migrated: ConnectParams,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    doc = tmp_path / "a.md"
    doc.write_text("---\ntitle: Nitrox\n---\n\n## Air\n\nEnriched air has more oxygen.\n")
    assert main(["ingest", str(doc)]) == 0
    capsys.readouterr()
    monkeypatch.setenv("GEMINI_API_KEY", "not-a-real-key")
    monkeypatch.setenv("EMBEDDING_PROVIDER", "gemini")
    fails(["search", "nitrox"], capsys, 1, "no documents are embedded with", "dovvy ingest")


def test_prune_never_empties_the_knowledge_base(
    migrated: ConnectParams, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    articles = tmp_path / "articles"
    articles.mkdir()
    for name in ("a", "b"):
        (articles / f"{name}.md").write_text(f"---\ntitle: {name}\n---\n\n## S\n\nText {name}.\n")
    assert main(["ingest", "--root", str(articles), str(articles)]) == 0
    for file in articles.iterdir():
        file.unlink()
    capsys.readouterr()
    message = fails(
        ["ingest", "--prune", "--root", str(articles), str(articles)], capsys, 1, "nothing was deleted"
    )
    assert "a.md" in message
    assert "b.md" in message
    assert main(["search", "--json", "text"]) == 0
    assert '"content_path": "a.md"' in capsys.readouterr().out


def test_one_bad_file_never_stops_the_rest(
    migrated: ConnectParams, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = tmp_path / "kb"
    folder.mkdir()
    (folder / "good.md").write_text("---\ntitle: Good\n---\n\n## S\n\nFine text.\n")
    (folder / "latin1.md").write_bytes("---\ntitle: Caf\xe9\n---\n\n## S\n\nText.\n".encode("latin-1"))
    (folder / "binary.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    (folder / "loop.md").symlink_to(folder / "loop.md")
    (folder / "sub").mkdir()
    (folder / "sub" / "back").symlink_to(folder, target_is_directory=True)
    assert main(["ingest", "--root", str(folder), str(folder), str(tmp_path / "missing")]) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    assert "1 new" in captured.out
    for named in ("latin1.md:", "binary.md:", "loop.md:", "missing:"):
        assert named in captured.out, captured.out


def test_a_taken_port_is_named_before_anything_starts(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        fails(["serve", "--port", str(port)], capsys, 1, f"127.0.0.1:{port}", "--port")


def test_run_from_another_folder_uses_the_checkout(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "dovvy.cli", "validate", "--strict"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    checked = len(list((ROOT / "content").rglob("*.md")))
    assert f"{checked} documents checked, 0 problems" in result.stderr


def test_debug_shows_the_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://dovvy@127.0.0.1:1/dovvy")
    monkeypatch.setenv("DB_TIMEOUT_SECONDS", "1")
    assert main(["--debug", "migrate"]) == 1
    assert "Traceback" in capsys.readouterr().err


def test_a_reader_that_stops_early_is_not_a_database_failure(tmp_path: Path) -> None:
    # `dovvy validate folder | head -1`: the pipe closes while problems are still being printed.
    # BrokenPipeError is a ConnectionError, and was reported as "cannot reach the database".
    # More problems than a pipe holds (64 KiB on Linux), so the command is still writing when the
    # reader goes: with 400 the whole output could fit and the command end normally (1 in 3 runs).
    for n in range(1500):
        (tmp_path / f"broken-{n:04}.md").write_text("no frontmatter here\n", encoding="utf-8")
    reader = subprocess.Popen(
        [sys.executable, "-m", "dovvy.cli", "validate", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert reader.stdout is not None
    assert reader.stderr is not None
    reader.stdout.readline()
    reader.stdout.close()
    errors = reader.stderr.read().decode()
    assert reader.wait(timeout=60) == 141
    assert "database" not in errors
    assert "Traceback" not in errors
    assert "Exception ignored" not in errors
