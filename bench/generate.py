"""Make a synthetic desk of N articles and N checks for the benchmark.

Articles are news-length (about 700 words in 12 paragraphs) made from the
sample corpus's own vocabulary, each with the address it was archived from;
each check has a realistic Markdown summary
and 3-5 citations quoting real sentences of real articles. Checks are
published over ten years (c00000 the oldest), by about N/30 claimants
(names in several scripts) on 8 + N/1,000 topics, as a large desk's are.
Deterministic for a given N (seeded).

    python bench/generate.py 1000 /tmp/desk-1000
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
STANCES = ("claim", "supports", "contradicts", "context")
TAGS = ("territory", "casualties", "ceasefire", "diplomacy", "veto", "medical", "un-security-council", "aid")
FIRST = (
    "Amal",
    "Bruno",
    "Chiara",
    "Dmitri",
    "Élodie",
    "Farid",
    "Grace",
    "Hiroshi",
    "Ines",
    "Jonas",
    "Karim",
    "Lena",
    "Mateo",
    "Nadia",
    "Olu",
    "Priya",
    "Quentin",
    "Rania",
    "Sofia",
    "Tomasz",
    "Uma",
    "Viktor",
    "Wen",
    "Ximena",
    "Yusuf",
    "Zara",
    "Сергей",
    "Мария",
    "سامي",
    "ليلى",
)
LAST = (
    "Abbott",
    "Berg",
    "Castillo",
    "Dubois",
    "Eze",
    "Fischer",
    "García",
    "Haddad",
    "Ivanova",
    "Jensen",
    "Kowalski",
    "Lindqvist",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Petrov",
    "Quinn",
    "Rossi",
    "Sato",
    "Tanaka",
    "Umar",
    "Varga",
    "Wójcik",
    "Xu",
    "Yilmaz",
    "Zhou",
    "Öztürk",
    "Ávila",
    "Šimić",
    "Ng",
    "Лавров",
    "Смирнов",
    "العلي",
    "حداد",
    "O'Brien",
    "de la Cruz",
    "van Dijk",
    "Mbeki",
    "Nguyen",
    "Park",
)
START = dt.date(2017, 1, 1)
DAYS = (dt.date(2026, 11, 30) - START).days


def claimant(k: int) -> str:
    name = f"{FIRST[k % len(FIRST)]} {LAST[(k // len(FIRST)) % len(LAST)]}"
    return name if k < len(FIRST) * len(LAST) else f"{name} {k // (len(FIRST) * len(LAST)) + 1}"


def topics(n: int) -> tuple[str, ...]:
    return TAGS + tuple(f"topic {k}" for k in range(n // 1000))


VERDICTS = ("accurate", "mostly-accurate", "unproven", "misleading", "inaccurate")


def vocabulary() -> list[str]:
    words: list[str] = []
    for path in sorted((REPO / "content" / "articles").glob("*.txt")):
        words += path.read_text(encoding="utf-8").split("---\n", 2)[2].split()
    return words


def sentence(rng: random.Random, words: list[str], n: int) -> str:
    text = " ".join(rng.choice(words) for _ in range(n)).replace("\u201c", "").replace("\u201d", "")
    return text[0].upper() + text[1:].rstrip(".,;:") + "."


def generate(n: int, root: Path, claimants: int | None = None, urls: bool = True) -> None:
    """`claimants`: how many (N/30, and at least 300, unless given).
    `urls`: whether each article has the address it was archived from, as
    `import` records it (then check pages link each quote into the original
    with a text fragment)."""
    people = claimants or max(300, n // 30)
    rng = random.Random(n)
    words = vocabulary()
    if root.exists():
        shutil.rmtree(root)
    (root / "content" / "articles").mkdir(parents=True)
    (root / "content" / "checks").mkdir(parents=True)
    shutil.copy(REPO / "config.yaml", root / "config.yaml")
    bodies = []
    for i in range(n):
        paragraphs = []
        for p in range(12):
            # A sentence unique to this article and paragraph, for the citations to quote.
            marker = f"Report {i} paragraph {p} says the count was {rng.randint(10, 999)}."
            paragraphs.append(" ".join([sentence(rng, words, 25), marker, sentence(rng, words, 30)]))
        body = "\n\n".join(paragraphs) + "\n"
        bodies.append(body)
        digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
        front = (
            f"---\ntitle: {json.dumps(sentence(rng, words, 9))}\npublisher: Outlet {i % 40}\n"
            + (f"url: https://outlet{i % 40}.example/news/{i:05d}\n" if urls else "")
            + f"published: 2016-12-{1 + i % 28:02d}\nsha256: {digest}\n---\n"
        )
        (root / "content" / "articles" / f"a{i:05d}.txt").write_text(front + body, encoding="utf-8")
    for i in range(n):
        citations = []
        for k in range(rng.randint(3, 5)):
            j = rng.randrange(n)
            p = rng.randrange(12)
            start = bodies[j].index(f"Report {j} paragraph {p} says")
            quote = bodies[j][start : bodies[j].index(".", start) + 1]
            citations.append(
                f"  - article: a{j:05d}\n    quote: {json.dumps(quote)}\n    stance: {STANCES[k % 4]}\n"
                f"    note: {json.dumps(sentence(rng, words, 12))}\n"
            )
        summary = "\n".join(
            [
                f"  {sentence(rng, words, 40)} *{sentence(rng, words, 5)}* and **{sentence(rng, words, 4)}**",
                "",
                f"  - {sentence(rng, words, 12)}",
                f"  - {sentence(rng, words, 12)} [{sentence(rng, words, 3)}](https://example.org/{i})",
                "",
                f"  {sentence(rng, words, 50)}",
            ]
        )
        tags = sorted(rng.sample(topics(n), 2))
        published = START + dt.timedelta(days=i * DAYS // max(1, n - 1))
        (root / "content" / "checks" / f"c{i:05d}.yaml").write_text(
            f"claim: {json.dumps(sentence(rng, words, 14))}\nclaimant: {json.dumps(claimant(i % people))}\n"
            f"claim_date: {published - dt.timedelta(days=1 + i % 20)}\nverdict: {VERDICTS[i % 5]}\n"
            f"summary: |\n{summary}\npublished: {published}\n"
            f"author: Desk\ntags: [{', '.join(tags)}]\ncitations:\n" + "".join(citations),
            encoding="utf-8",
        )


if __name__ == "__main__":
    generate(int(sys.argv[1]), Path(sys.argv[2]))
