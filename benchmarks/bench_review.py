"""`videokit review` on the real NurViD set (1,538 videos): what an annotator waits for.

- Edit latency over HTTP against a `videokit review` server in its own process (validation of the video,
  the journal line flushed and fsync'd before the answer): edits per second, p50 / p99.
- The journal's cost: one edit through the session with the journal vs the same session in memory only
  (the baseline: the review page before the journal), interleaved in rounds; the median ratio.
- Replay: the time `ReviewSession.open` takes to replay a journal of 10,000 edits, over opening without one.
Goals on this 2-core machine: p99 < 50 ms, replay of 10k edits < 2 s. Last line:
``edit_p99_ms=<x> replay_10k_s=<y>``.
Usage: python -m benchmarks.bench_review [--edits 2000] [--rounds 5] [--dir DIR (the disk to journal on)]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from videokit.annotations import read_annotations
from videokit.review import ReviewSession

from .fixtures import ROOT
from .rounds import MIN_ROUNDS, interleaved, ratio, show_ratio

NURVID = ROOT / "annotations" / "nurvid" / "annotations.json"
TOKEN = "bench-token"


def random_edits(annotations, count: int, seed: int = 0):
    rng = random.Random(seed)
    videos = [v for v in annotations if v.segments]
    for _ in range(count):
        video = rng.choice(videos)
        edit = {rng.choice(["start", "end"]): round(rng.uniform(0, 99), 3)}
        yield video.video_id, rng.randrange(len(video.segments)), edit


def http_latencies(folder: Path, annotations, count: int):
    """Seconds per edit, as the page meets them, against a server in its own process."""
    (folder / "videos").mkdir(exist_ok=True)
    process = subprocess.Popen([sys.executable, "-m", "videokit.cli", "review", str(NURVID), "--from", "canonical",
                                "--videos", str(folder / "videos"), "-o", str(folder / "http.json"), "--port", "0",
                                "--token", TOKEN], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                               env=dict(os.environ, PYTHONUNBUFFERED="1"))
    try:
        base = None
        for line in process.stdout:
            if "open http" in line:
                base = line.split("open ")[1].split("?")[0].rstrip("/")
                break
        if base is None:
            raise SystemExit("bench_review: the review server did not start")
        latencies = []
        for video_id, index, change in random_edits(annotations, count, seed=1):
            request = urllib.request.Request(f"{base}/api/videos/{video_id}/segments/{index}", method="POST",
                                             data=json.dumps(change).encode(),
                                             headers={"Content-Type": "application/json", "X-Review-Token": TOKEN})
            start = time.perf_counter()
            with urllib.request.urlopen(request) as response:
                response.read()
            latencies.append(time.perf_counter() - start)
        return latencies
    finally:
        process.kill()
        process.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=MIN_ROUNDS)
    parser.add_argument("--dir", default=None, help="folder to journal in (default: a temporary folder)")
    args = parser.parse_args()
    annotations = read_annotations(NURVID, "canonical")
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        folder = Path(tmp)
        latencies = sorted(http_latencies(folder, annotations, args.edits))
        p50 = statistics.median(latencies) * 1000
        p99 = latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))] * 1000
        print(f"HTTP edits: {len(latencies)} at {len(latencies) / sum(latencies):.0f}/s, "
              f"p50 {p50:.2f} ms, p99 {p99:.2f} ms, max {latencies[-1] * 1000:.2f} ms")

        journaled = ReviewSession.open(NURVID, "canonical", folder / "journaled.json")
        in_memory = ReviewSession(read_annotations(NURVID, "canonical"), folder / "memory.json")
        edits = list(random_edits(annotations, 100_000, seed=2))
        cursor = {"journaled": 0, "in memory": 0}

        def editor(name, session):
            def run():
                for _ in range(20):
                    video_id, index, change = edits[cursor[name] % len(edits)]
                    cursor[name] += 1
                    session.update(video_id, index, **change)
            return run

        times = interleaved({"journaled": editor("journaled", journaled), "in memory": editor("in memory", in_memory)},
                            rounds=args.rounds)
        cost = ratio(times, "journaled", "in memory")
        print(f"session edit: journaled {statistics.median(times['journaled']) / 20 * 1000:.2f} ms, in memory "
              f"{statistics.median(times['in memory']) / 20 * 1000:.2f} ms: journal_cost={show_ratio(cost)}")
        journaled.close()

        replay_out = folder / "replay.json"
        writer = ReviewSession.open(NURVID, "canonical", replay_out)
        for video_id, index, change in random_edits(annotations, 10_000, seed=3):
            writer.update(video_id, index, **change)
        writer.close()
        journal = replay_out.with_name(replay_out.name + ".journal")
        kept = journal.read_bytes()

        def reopen(with_journal: bool):
            def run():
                if with_journal:
                    journal.write_bytes(kept)
                else:
                    journal.unlink(missing_ok=True)
                start = time.perf_counter()
                session = ReviewSession.open(NURVID, "canonical", replay_out)
                seconds = time.perf_counter() - start
                assert session.recovered == (10_000 if with_journal else 0)
                session.close()
                return seconds
            return run

        opened = interleaved({"replay 10k": reopen(True), "no journal": reopen(False)}, rounds=args.rounds)
        replay = [a - b for a, b in zip(opened["replay 10k"], opened["no journal"])]
        print(f"open with a 10k-edit journal {statistics.median(opened['replay 10k']):.2f} s, without "
              f"{statistics.median(opened['no journal']):.2f} s: replay {statistics.median(replay):.2f} s "
              f"[{min(replay):.2f}-{max(replay):.2f}]")
    print(f"edit_p99_ms={p99:.2f} replay_10k_s={statistics.median(replay):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
