from __future__ import annotations

from pathlib import Path

import pytest

from dovvy import seed
from dovvy.catalogue import DESTINATIONS_FILE
from dovvy.db import destinations
from dovvy.runtime import Runtime

SEED = DESTINATIONS_FILE


def test_bundled_data_has_four_regions_with_four_sites_each() -> None:
    loaded = seed.load(SEED)
    assert len({d.region for d in loaded}) >= 4
    assert all(len(d.sites) >= 4 for d in loaded)


def test_seeding_twice_changes_nothing(runtime: Runtime) -> None:
    loaded = seed.load(SEED)
    before = runtime.pool.run(destinations.list_destinations)
    runtime.pool.run(lambda conn: seed.apply(conn, loaded))
    after = runtime.pool.run(destinations.list_destinations)
    assert before == after
    counts = runtime.pool.run(
        lambda conn: conn.run("SELECT (SELECT count(*) FROM destinations), (SELECT count(*) FROM dive_sites)")
    )
    assert counts == [[len(loaded), sum(len(d.sites) for d in loaded)]]


def test_sites_read_back_with_their_attributes(runtime: Runtime) -> None:
    sites = runtime.pool.run(lambda conn: destinations.sites_for_destination(conn, "cozumel"))
    by_code = {site.code: site for site in sites}
    devils = by_code["punta-sur-devils-throat"]
    assert (devils.min_depth_m, devils.max_depth_m) == (24.0, 40.0)
    assert devils.min_certification == "Deep Diver"
    assert "deep" in devils.tags
    assert [s.max_depth_m for s in sites] == sorted(s.max_depth_m for s in sites)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("destinations: []", "destinations: List should have at least 1 item", id="empty"),
        pytest.param("destinations: [", "not valid YAML", id="yaml"),
        pytest.param(
            "destinations:\n- {code: a, name: A, country: C, region: R, sites: [{code: s, name: S, "
            "min_depth_m: 20, max_depth_m: 10, difficulty: beginner, min_certification: Open Water}]}",
            "max_depth_m is shallower",
            id="depth-order",
        ),
        pytest.param(
            "destinations:\n- {code: a, name: A, country: C, region: R, sites: [{code: s, name: S, "
            "min_depth_m: 1, max_depth_m: 10, difficulty: easy, min_certification: Open Water}]}",
            "destinations.0.sites.0.difficulty",
            id="difficulty",
        ),
    ],
)
def test_invalid_seed_files_name_the_problem(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "seed.yaml"
    path.write_text(text)
    with pytest.raises(seed.SeedError, match=message):
        seed.load(path)
