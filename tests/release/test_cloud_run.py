"""A GCP release against a fake of Cloud Run's and Cloud Monitoring's APIs: the canary share, the
watch on the new revision alone, then all traffic to it or back."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dovvy.cli import main
from dovvy.google_rest import GcpApi
from dovvy.release import policy
from dovvy.release.cloud_run import CloudRun, NothingToRelease
from dovvy.release.decision import Verdict
from tests.release.fake_google import FakeGoogle, Served, google

OLD, NEW = "dovvy-chat-00001-old", "dovvy-chat-00002-new"


class Clock:
    """Time that moves only when the release sleeps."""

    def __init__(self) -> None:
        self.at = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at

    def sleep(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


@pytest.fixture
def fake() -> Iterator[tuple[FakeGoogle, str]]:
    state = FakeGoogle()
    with google(state) as url:
        yield state, url


def cloud_run(url: str, clock: Clock) -> CloudRun:
    return CloudRun(
        GcpApi("tok", base=url), "p", "europe-west1", policy.load(), sleep=clock.sleep, now=clock.now
    )


def test_a_healthy_revision_gets_the_canary_share_then_everything(fake: tuple[FakeGoogle, str]) -> None:
    state, url = fake
    state.served[NEW] = Served(requests=120, errors=1, p95_ms=850)
    verdict, why = cloud_run(url, Clock()).release("chat", "dovvy-chat")
    assert verdict is Verdict.PROMOTE
    first, last = state.patches[0], state.patches[-1]
    assert {t["revision"]: t["percent"] for t in first["traffic"]} == {OLD: 90, NEW: 10}
    assert all(t["type"] == "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION" for t in first["traffic"])
    assert {t["revision"]: t["percent"] for t in last["traffic"]} == {NEW: 100}
    assert state.traffic == {NEW: 100}
    # Watched for the whole window, on the new revision only.
    assert len(state.patches) == 2
    assert all(f'revision_name="{NEW}"' in q["filter"] for q in state.queries)
    assert "120 requests, 1 errors" in why


def test_errors_in_the_canary_send_everything_back_before_the_watch_ends(
    fake: tuple[FakeGoogle, str],
) -> None:
    state, url = fake
    state.served[NEW] = Served(requests=60, errors=9, p95_ms=700)
    clock = Clock()
    started = clock.at
    verdict, why = cloud_run(url, clock).release("chat", "dovvy-chat")
    assert verdict is Verdict.ROLLBACK
    assert state.traffic == {OLD: 100}
    assert "error rate 15.0% over 5%" in why
    assert clock.at - started < timedelta(minutes=policy.load().canary.watch_minutes)


def test_a_slow_canary_is_rolled_back(fake: tuple[FakeGoogle, str]) -> None:
    state, url = fake
    state.served[NEW] = Served(requests=80, errors=0, p95_ms=2_600)
    verdict, _ = cloud_run(url, Clock()).release("session", "dovvy-chat")
    assert verdict is Verdict.ROLLBACK
    assert state.traffic == {OLD: 100}


def test_nothing_to_release_when_the_newest_revision_serves_everything(fake: tuple[FakeGoogle, str]) -> None:
    state, url = fake
    state.traffic = {NEW: 100}
    with pytest.raises(NothingToRelease):
        cloud_run(url, Clock()).release("chat", "dovvy-chat")
    assert state.patches == []


def test_by_hand_promote_and_rollback(
    fake: tuple[FakeGoogle, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    state, url = fake
    monkeypatch.setenv("GOOGLE_OAUTH_ACCESS_TOKEN", "tok")  # instead of gcloud's
    state.traffic = {OLD: 90, NEW: 10}
    common = ["--function", "chat", "--project", "p", "--region", "europe-west1", "--api-base", url]
    assert main(["release", "gcp", "rollback", *common]) == 0
    assert state.traffic == {OLD: 100}
    assert main(["release", "gcp", "promote", *common]) == 0
    assert state.traffic == {NEW: 100}
    # With nothing older serving, a rollback must be told where to go.
    assert main(["release", "gcp", "rollback", *common]) == 2
    assert "--to" in capsys.readouterr().err
    assert main(["release", "gcp", "rollback", *common, "--to", OLD]) == 0
    assert state.traffic == {OLD: 100}


def test_without_a_google_token_the_command_says_how_to_get_one(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.delenv("GOOGLE_OAUTH_ACCESS_TOKEN", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # no gcloud
    assert main(["release", "gcp", "promote", "--function", "chat", "--project", "p"]) == 2
    assert "gcloud auth login" in capsys.readouterr().err


def test_traffic_that_follows_the_latest_revision_is_pinned_not_canaried(
    fake: tuple[FakeGoogle, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new service follows "latest": its first code deploy already took everything, so there is
    no canary to run; the module pins each new service (promote) so later deploys wait."""
    state, url = fake
    state.follows_latest = True
    monkeypatch.setenv("GOOGLE_OAUTH_ACCESS_TOKEN", "tok")
    common = ["--function", "chat", "--project", "p", "--region", "europe-west1", "--api-base", url]
    assert main(["release", "gcp", "start", *common]) == 2
    assert "pin it with `dovvy release gcp promote" in capsys.readouterr().err
    assert state.patches == []
    assert main(["release", "gcp", "promote", *common]) == 0
    assert state.patches[-1]["traffic"] == [
        {"type": "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", "revision": NEW, "percent": 100}
    ]
    assert state.follows_latest is False
