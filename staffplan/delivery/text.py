"""The email's text part, made from the HTML report itself.

Mail clients that show no HTML must tell the same story with the same numbers and
the same spans, so the text is read out of the rendered report rather than written
a second time: headings become underlined lines, paragraphs are wrapped, each table
row becomes one line (or an indented paragraph when it holds a single cell), and
charts are left out (their figures are in the tables beside them). The text stops
at the report's "Details" heading (`id="details"`), whose content is for reading in
the HTML part or the attached workbook.
"""

from __future__ import annotations

import re
import textwrap
from html.parser import HTMLParser

WIDTH = 72
DETAILS_ID = "details"
_BLOCKS = {"p", "h1", "h2", "h3", "div", "table"}


class _Story(HTMLParser):
    """Collects blocks of text in reading order until the Details heading."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, str]] = []  # (kind, text): h1, h2, p, row
        self.stopped = False
        self._kind: str | None = None
        self._buf: list[str] = []
        self._cells: list[str] | None = None
        self._cell: list[str] | None = None
        self._skip = 0  # inside <head>, <style>, <title>
        self._layout: list[bool] = []  # per open <table>: only lays out blocks (data-layout)

    # -- helpers
    def _flush(self) -> None:
        text = _squeeze("".join(self._buf))
        if text and self._kind:
            self.blocks.append((self._kind, text))
        self._buf = []
        self._kind = None

    def _out(self) -> list[str]:
        return self._cell if self._cell is not None else self._buf

    # -- parser callbacks
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.stopped:
            return
        if tag in ("head", "style", "title", "script"):
            self._skip += 1
            return
        if dict(attrs).get("id") == DETAILS_ID:
            self._flush()
            self.stopped = True
            return
        if tag == "table":
            self._flush()
            self._layout.append("data-layout" in dict(attrs))
            return
        if self._layout and self._layout[-1] and tag in ("tr", "td", "th"):
            return
        if tag == "tr":
            self._flush()
            self._cells = []
        elif tag in ("td", "th") and self._cells is not None:
            self._cell = []
        elif tag in ("h1", "h2", "h3", "p") and self._cell is None:
            self._flush()
            self._kind = "h1" if tag == "h1" else "h2" if tag in ("h2", "h3") else "p"
        elif tag == "br":
            self._out().append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self.stopped:
            return
        if tag in ("head", "style", "title", "script"):
            self._skip = max(0, self._skip - 1)
            return
        if tag == "table":
            self._flush()
            if self._layout:
                self._layout.pop()
            return
        if self._layout and self._layout[-1] and tag in ("tr", "td", "th"):
            self._flush()
            return
        if tag in ("td", "th") and self._cell is not None and self._cells is not None:
            self._cells.append(_squeeze("".join(self._cell), keep_breaks=True))
            self._cell = None
        elif tag == "tr" and self._cells is not None:
            cells = [c for c in self._cells if c]
            if cells:
                self.blocks.append(("row", "\t".join(cells)))
            self._cells = None
        elif tag in _BLOCKS and self._cell is None:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self.stopped or self._skip:
            return
        if self._cell is None and self._kind is None and data.strip():
            self._kind = "p"  # loose text between blocks
        self._out().append(data)


def _squeeze(text: str, keep_breaks: bool = False) -> str:
    if keep_breaks:
        return "\n".join(" ".join(part.split()) for part in text.split("\n")).strip()
    return " ".join(text.split())


def html_to_text(html: str, closing: str = "") -> str:
    """The report's story (everything above Details) as plain text, `closing` after it."""
    parser = _Story()
    parser.feed(html)
    parser.close()
    lines: list[str] = []
    rows: list[list[str]] = []

    def flush_rows() -> None:
        if rows:
            lines.extend(_table(rows))
            lines.append("")
            rows.clear()

    for kind, text in parser.blocks:
        if kind == "row":
            rows.append(text.split("\t"))
            continue
        flush_rows()
        if kind == "h1":
            lines += [text, "=" * min(len(text), WIDTH), ""]
        elif kind == "h2":
            lines += [text, "-" * min(len(text), WIDTH), ""]
        else:
            lines += textwrap.wrap(text, WIDTH, break_long_words=False,
                                   break_on_hyphens=False) + [""]
    flush_rows()
    if closing:
        lines += textwrap.wrap(closing, WIDTH, break_long_words=False,
                               break_on_hyphens=False) + [""]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).rstrip() + "\n"


def _table(rows: list[list[str]]) -> list[str]:
    """Rows of one or more cells: single cells become bullet paragraphs, short rows are
    aligned in columns (numbers to the right)."""
    out: list[str] = []
    multi = [r for r in rows if len(r) > 1 and not any("\n" in c for c in r)]
    widths: dict[int, int] = {}
    for r in multi:
        for i, c in enumerate(r):
            widths[i] = max(widths.get(i, 0), len(c))
    for r in rows:
        if len(r) == 1 or any("\n" in c for c in r):
            text = " ".join(c.replace("\n", " ") for c in r)
            out += textwrap.wrap(text, WIDTH, initial_indent="- ", subsequent_indent="  ",
                                 break_long_words=False, break_on_hyphens=False)
        else:
            cells = [c.ljust(widths[0]) if i == 0 else c.rjust(widths[i])
                     for i, c in enumerate(r)]
            out.append("  " + "   ".join(cells).rstrip())
    return out
