"""Fuzzing every reader with structure-aware mutations of real files (Hypothesis).

Profiles (``VIDEOKIT_FUZZ``): ``short`` (default, in ``make test``: a fixed seed, 100 cases per format, about a
minute), ``long`` (``make fuzz``: random, ``VIDEOKIT_FUZZ_EXAMPLES`` cases per format, default 20,000).
The short profile stops at the first failure and shrinks it; the long one goes on through every case (no
shrinking) and fails at the end with the count. ``VIDEOKIT_FUZZ_FAILURES=DIR`` keeps every failing input there
(with its traceback) to be added to ``tests/data/malformed``; ``VIDEOKIT_FUZZ_STATS=FILE`` writes the outcome
counts per format as JSON.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
import traceback
from collections import Counter, defaultdict
from pathlib import Path
from typing import Dict, List

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from ..conftest import REAL, SHARED
from . import mutate, outcome, seeds

PROFILE = os.environ.get("VIDEOKIT_FUZZ", "short")
FORMATS = ["canonical", "anet", "nurvid", "ophnet", "mmaction", "elan", "labelstudio", "cvat", "via", "taxonomy"]
SHORT_EXAMPLES = {"ophnet": 60, "mmaction": 60, "taxonomy": 60}

settings.register_profile("short", derandomize=True, database=None, deadline=None, print_blob=True,
                          suppress_health_check=list(HealthCheck))
settings.register_profile("long", database=None, deadline=None, print_blob=True, phases=[Phase.generate],
                          max_examples=int(os.environ.get("VIDEOKIT_FUZZ_EXAMPLES", "20000")),
                          suppress_health_check=list(HealthCheck))

pytestmark = pytest.mark.skipif(not REAL.is_dir() or not (SHARED / "interop_samples").is_dir(),
                                reason=f"the real files are not beside the checkout ({SHARED})")

STATS: Dict[str, Counter] = defaultdict(Counter)


@pytest.fixture(scope="module")
def all_seeds(tmp_path_factory) -> Dict[str, List[seeds.Seed]]:
    by_format: Dict[str, List[seeds.Seed]] = defaultdict(list)
    for seed in seeds.build(tmp_path_factory.mktemp("seeds")):
        by_format[seed.fmt].append(seed)
    yield by_format
    path = os.environ.get("VIDEOKIT_FUZZ_STATS")
    if path:
        old = json.loads(Path(path).read_text()) if Path(path).exists() else {}
        for fmt, counts in STATS.items():
            merged = Counter(old.get(fmt, {}))
            merged.update(counts)
            old[fmt] = dict(merged)
        Path(path).write_text(json.dumps(old, indent=1, sort_keys=True))


def _keep(seed: seeds.Seed, data: bytes, error: BaseException) -> None:
    folder = os.environ.get("VIDEOKIT_FUZZ_FAILURES")
    if not folder:
        return
    digest = hashlib.sha1(data).hexdigest()[:12]
    target = Path(folder) / f"{seed.fmt}-{seed.name}-{digest}"
    target.mkdir(parents=True, exist_ok=True)
    (target / f"input{seed.suffix}").write_bytes(data)
    (target / "error.txt").write_text(f"seed {seed.name} main {seed.main!r} options {seed.options}\n"
                                      + "".join(traceback.format_exception(error)))


def run_case(seed: seeds.Seed, data: bytes, go_on: bool = False) -> str:
    with tempfile.TemporaryDirectory(prefix="vk-fuzz-") as tmp:
        folder = Path(tmp)
        path = seeds.materialize(seed, data, folder)
        work = folder / "work"
        work.mkdir()
        try:
            result = outcome.check(seed.fmt, path, dict(seed.options), work)
        except BaseException as exc:  # a Failure, or an exception no reader should let out
            _keep(seed, data, exc)
            STATS[seed.fmt]["other"] += 1
            if go_on and not isinstance(exc, KeyboardInterrupt):
                return "other"
            raise
    STATS[seed.fmt][result] += 1
    return result


@pytest.mark.fuzz
@pytest.mark.parametrize("fmt", FORMATS)
def test_every_mutation_is_a_result_or_one_clean_error(fmt, all_seeds):
    candidates = all_seeds[fmt]
    assert candidates, f"no seed for {fmt}"
    examples = SHORT_EXAMPLES.get(fmt, 100) if PROFILE == "short" else None
    before = STATS[fmt]["other"]

    @settings(settings.get_profile(PROFILE), **({"max_examples": examples} if examples else {}))
    @given(st.data())
    def case(data):
        seed = data.draw(st.sampled_from(candidates), label="seed")
        run_case(seed, data.draw(mutate.mutated(seed), label="input"), go_on=PROFILE != "short")

    case()
    assert STATS[fmt]["other"] == before, f"{STATS[fmt]['other'] - before} failing case(s); see VIDEOKIT_FUZZ_FAILURES"


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_seed_reads_as_a_result(fmt, all_seeds):
    """The unmutated seeds are good files: each is a result (so the harness starts from working inputs), but for
    the one real file videokit answers with one error (Label Studio's object tracks)."""
    for seed in all_seeds[fmt]:
        assert run_case(seed, seed.data) == ("error" if seed.refused else "result"), seed.name
