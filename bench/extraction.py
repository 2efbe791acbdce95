"""How well `import` extracts an article's body from real saved news pages.

    .venv/bin/python bench/extraction.py                # in-process, with a line per page
    .venv/bin/python bench/extraction.py --cli          # as users run it: ../shared/tools/score-import

Pages and ground truth: the Article Extraction Benchmark's (scrapinghub,
MIT), 91 of its 181 pages in ../shared/extraction/. Scored with that
benchmark's own metric, as ../shared/tools/score-import computes it: F1,
precision and recall over 4-gram shingles of word tokens, averaged over
pages. The default run reads each page as `import` does (factcheck.editor.archive.
extract) without writing a desk, so it takes seconds and can show each
page's score (--pages) and the pages whose text was refused; --cli runs the
shared tool itself, which imports every page into a throwaway desk with
build.py and also scores trafilatura's own text output (--peer) on the same
pages. Scores belong here, never in the tests.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import subprocess
import sys
from collections import Counter
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
DATA = REPO.parent / "shared" / "extraction"
TOOL = REPO.parent / "shared" / "tools" / "score-import"
sys.path.insert(0, str(REPO))

TOKEN = re.compile(r"\w+", re.UNICODE | re.MULTILINE | re.IGNORECASE | re.DOTALL)


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    t = TOKEN.findall(text or "")
    return Counter(tuple(t[i : i + n]) for i in range(0, max(1, len(t) - n + 1)) if t[i : i + n])


def tp_fp_fn(true: str, pred: str) -> tuple[float, float, float]:
    a, b = shingles(true), shingles(pred)
    tp = fp = fn = 0.0
    for k in set(a) | set(b):
        tp += min(a.get(k, 0), b.get(k, 0))
        fp += max(0, b.get(k, 0) - a.get(k, 0))
        fn += max(0, a.get(k, 0) - b.get(k, 0))
    s = tp + fp + fn
    return (tp / s, fp / s, fn / s) if s else (0.0, 0.0, 0.0)


def score(truth: dict[str, str], pred: dict[str, str]) -> tuple[float, float, float]:
    """The benchmark's evaluate.py: mean precision and recall over pages, then their F1."""
    rows = [tp_fp_fn(truth[k], pred.get(k, "")) for k in truth]

    def p(tp: float, fp: float, fn: float) -> float:
        return 1.0 if fp == fn == 0 else (0.0 if tp == fp == 0 else tp / (tp + fp))

    def r(tp: float, fp: float, fn: float) -> float:
        return 1.0 if fp == fn == 0 else (0.0 if tp == fn == 0 else tp / (tp + fn))

    prec = statistics.mean(p(*x) for x in rows if x[0] + x[1] > 0)
    rec = statistics.mean(r(*x) for x in rows if x[0] + x[2] > 0)
    return 2 * prec * rec / (prec + rec), prec, rec


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DATA, help="a folder with ground-truth.json and html/KEY.html.gz")
    ap.add_argument("--cli", action="store_true", help="run ../shared/tools/score-import instead")
    ap.add_argument("--peer", default=sys.executable, help="with --cli: a Python with trafilatura, scored alongside")
    ap.add_argument("--pages", action="store_true", help="print each page's F1 and length")
    a = ap.parse_args()
    if a.cli:
        return subprocess.run([str(TOOL), "--peer", a.peer, "--data", str(a.data)], cwd=REPO).returncode

    from factcheck.editor.archive import extract

    truth = {k: v.get("articleBody", "") for k, v in json.loads((a.data / "ground-truth.json").read_text()).items()}
    ours: dict[str, str] = {}
    refused = []
    for key in sorted(truth):
        page = extract(gzip.open(a.data / "html" / f"{key}.html.gz").read())
        ours[key] = page.body if page.paragraphs else ""
        if not page.paragraphs:
            refused.append(key)
        if a.pages:
            f1 = tp_fp_fn(truth[key], ours[key])[0]
            print(f"{key[:12]}  tp-share {f1:.3f}  {len(ours[key]):6d} chars (truth {len(truth[key])})")
    f1, p, r = score(truth, ours)
    print(f"import: F1 {f1:.3f} (precision {p:.3f}, recall {r:.3f}) on {len(truth)} real pages, {len(refused)} refused")
    for key in refused:
        print(f"  refused: {key}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
