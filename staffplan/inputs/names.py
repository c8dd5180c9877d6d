"""Which known name a person most likely meant.

Two uses, both so that a typo is reported instead of silently changing the plan:

- `near_miss`: a sheet, column or Settings key name that the reader does not
  know but that looks like a known one (`Budgets` for `Budget`, `mw_ramp` for
  `mw_ramp_months`, `FTE per MW` for `per_mw`, `posts_24/7` for `posts_24x7`).
  The reader then stops with an error instead of ignoring it as an extra.
- `did_you_mean`: an id (role, country, currency, site) that is not declared,
  compared with the ids that are, for a "did you mean ..." hint.

Names that resemble nothing known (`notes`, `comments`) match nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_ROUND_THE_CLOCK = re.compile(r"(\d)\s*[/x×*]\s*(\d)")  # 24/7, 24 x 7, 24*7 -> 24x7
_PER = re.compile(r"(?<=[a-z])\s*/\s*(?=[a-z])")  # fte/mw -> fte per mw
_WORD = re.compile(r"\d+x\d+|[a-z]+|\d+")


def words(name: Any) -> tuple[str, ...]:
    """The words of a name in one spelling: lower case, singular, symbols spelt out.

    `Extra Demands`, `extra_demand` and `ExtraDemand` all give ('extra', 'demand').
    """
    text = _CAMEL.sub(" ", str(name).strip()).lower()
    text = _ROUND_THE_CLOCK.sub(r"\1x\2", text)
    text = _PER.sub(" per ", text)
    text = text.replace("%", " pct ")
    return tuple(_singular(w) for w in _WORD.findall(text))


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 2 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (a swap of two neighbours counts 1), or
    `limit + 1` as soon as it must exceed `limit` (names are short; ids may not be)."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def _typo_limit(length: int) -> int:
    """How many typing slips still read as the same name: none in 3 letters
    (`end` is not `env`), one in 4-5, two in 6-11, three beyond."""
    if length <= 3:
        return 0
    if length <= 5:
        return 1
    if length <= 11:
        return 2
    return 3


def _score(name: Any, known: str) -> int | None:
    """0 for the same words, 1..3 for typing slips, 10 when one name's words hold all of the
    other's (`mw_ramp` in `mw_ramp_months`, `per_mw` in `FTE per MW`); None: unrelated."""
    a, b = words(name), words(known)
    if not a or not b:
        return None
    ja, jb = "".join(a), "".join(b)
    if ja == jb or set(a) == set(b):  # `24x7 posts` for `posts_24x7`
        return 0
    limit = _typo_limit(min(len(ja), len(jb)))
    d = edit_distance(ja, jb, limit)
    if d <= limit:
        return d
    small, large = (set(a), set(b)) if len(set(a)) < len(set(b)) else (set(b), set(a))
    if small < large and len("".join(small)) >= 2:
        return 10
    return None


def near_miss(name: Any, known: Iterable[str]) -> str | None:
    """The known name `name` most likely misspells, or None when it resembles none.

    Ties go to the first known name, so pass them in schema order.
    """
    best: tuple[int, str] | None = None
    for k in known:
        s = _score(name, k)
        if s is not None and (best is None or s < best[0]):
            best = (s, k)
    return best[1] if best else None


def did_you_mean(value: Any, known: Iterable[Any]) -> str | None:
    """The declared id closest to an undeclared one (same letters in another case, or a
    slip or two of typing), or None; for ", did you mean X?" hints."""
    text = str(value).strip()
    best: tuple[int, str] | None = None
    for k in known:
        if k is None:
            continue
        ks = str(k)
        if ks.lower() == text.lower():
            d = 0
        else:
            limit = _typo_limit(min(len(ks), len(text)))
            if limit == 0:
                limit = 1 if min(len(ks), len(text)) >= 2 else 0  # `AU` for `AT`, `eng` for `eng1`
            d = edit_distance(ks.lower(), text.lower(), limit) + 1
            if d > limit + 1:
                continue
        if best is None or d < best[0]:
            best = (d, ks)
    return best[1] if best else None


def hint(value: Any, known: Iterable[Any]) -> str:
    """`"; did you mean X?"` when a close declared id exists, else ``."""
    match = did_you_mean(value, known)
    return f"; did you mean {match}?" if match is not None else ""
