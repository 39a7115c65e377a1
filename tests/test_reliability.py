"""Quick versions of the reliability runs: load with and without a concurrent re-index."""

from benchmarks.load_test import load_test
from tests.conftest import FIXTURES


def test_20_clients_with_a_reindex_in_the_middle_see_no_errors_and_switch_builds():
    results = load_test(FIXTURES / "practices", FIXTURES / "docs", "hashing", clients=20, seconds=6, rebuilds=2)
    steady, during = results["steady"], results["during_reindex"]
    assert steady["errors"] == 0 and steady["requests"] > 100, steady
    assert during["errors"] == 0 and during["requests"] > 100, during
    assert len(steady["builds_seen"]) == 1
    assert len(during["builds_seen"]) >= 2 and during["builds_seen"][-1] == during["final_build"]
    assert during["final_build"] != steady["builds_seen"][0]
