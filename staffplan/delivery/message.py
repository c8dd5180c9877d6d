"""The plan and its report as one email message (building it; delivery.smtp sends it).

The message is multipart/mixed: a multipart/alternative (plain text: the report's
story above its Details heading, read out of the HTML; the HTML report with its charts as inline
`cid:` images in a multipart/related), then the plan workbook attached
byte for byte. The subject's facts come from the plan's machine-readable sheets
(spec/workbook.md), never from the sheets written for people.
"""

from __future__ import annotations

import base64
import binascii
import logging
import re
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path

import openpyxl

from staffplan import __version__
from staffplan.core.errors import MailError, StaffplanError
from staffplan.delivery.settings import MailSettings
from staffplan.delivery.text import html_to_text
from staffplan.reports.tables import fmt_money

log = logging.getLogger(__name__)

PLAN_SUFFIX = "-plan.xlsx"
REPORT_SUFFIX = "-report.html"
XLSX_SUBTYPE = "vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DEFAULT_DISPLAY_NAME = "Staffplan"
_ADDR = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$")
_DATA_IMG = re.compile(
    r"""(<img\b[^>]*?\bsrc\s*=\s*)(["'])data:image/(png|jpeg|gif);base64,([A-Za-z0-9+/=\s]*)\2""",
    re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


class MailInputError(StaffplanError):
    """The plan, report or addresses given to `send` are unusable; nothing was sent (exit 2)."""

    exit_code = 2

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        n = len(problems)
        super().__init__(f"Cannot send the plan ({n} problem{'s' if n != 1 else ''}):\n"
                         + "\n".join(f"  - {p}" for p in problems))


# --------------------------------------------------------------------------- the plan's facts

@dataclass
class PlanFacts:
    """The plan's Summary sheet, key by key (the subject line quotes it)."""

    summary: dict[str, object]

    def get(self, key: str, default: object = "") -> object:
        v = self.summary.get(key)
        return default if v is None else v


def read_plan(path: Path) -> PlanFacts:
    """The Summary of a plan, after checking the file is a staffplan plan."""
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for a non-workbook
        raise MailInputError([f"{path} is not a readable Excel workbook ({exc})"]) from None
    try:
        sheets = {ws.title.strip().lower(): ws for ws in wb.worksheets}
        missing = [n for n in ("Summary", "Hires", "Headcount", "Costs")
                   if n.lower() not in sheets]
        if missing:
            raise MailInputError([f"{path} is not a staffplan plan: sheet(s) "
                                  f"{', '.join(missing)} missing (run `staffplan plan` first)"])
        summary = {str(r.get("key", "")).strip().lower(): r.get("value")
                   for r in _rows(sheets["summary"])}
    finally:
        wb.close()
    return PlanFacts(summary)


def _rows(ws) -> list[dict[str, object]]:
    it = ws.iter_rows(values_only=True)
    header = [str(h).strip().lower() if h is not None else "" for h in next(it, ())]
    return [dict(zip(header, row)) for row in it if any(v is not None for v in row)]


def _num(v: object) -> float:
    try:
        return float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0.0


# --------------------------------------------------------------------------- words and numbers

def _count(v: float) -> str:
    return f"{round(v):,}" if abs(v - round(v)) < 0.05 else f"{v:,.1f}"


def _money(v: float, cur: str) -> str:
    """As the attached plan shows it (Excel's rounding), so the figures agree."""
    return fmt_money(v, cur).strip()


def _compact(v: float, cur: str) -> str:
    for size, unit in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(v) >= size:
            return f"{cur} {v / size:,.{1 if unit != 'k' else 0}f}{unit}".strip()
    return _money(v, cur)


def clean_text(text: object) -> str:
    """User text made safe for a header: no line breaks or control characters."""
    return _CONTROL.sub(" ", str(text)).strip()


def default_subject(f: PlanFacts) -> str:
    cur = clean_text(f.get("currency"))
    return clean_text(f"Hiring plan: {f.get('plan_name')} - {_count(_num(f.get('total_hires')))} "
                  f"hires, {_compact(_num(f.get('total_cost')), cur)} ({f.get('status')})")


def plain_text(html: str, plan_name: str) -> str:
    """The text part: the report's story read out of its HTML (same numbers, same spans,
    roles by name), then where the details are."""
    closing = (f"Details (each requisition, hires by quarter, headcount against need, where "
               f"the hiring market is the limit) are in the HTML part of this email; every "
               f"figure is in the attached plan, {clean_text(plan_name)}.")
    return html_to_text(html, closing) + f"\n-- staffplan {__version__}\n"


# --------------------------------------------------------------------------- the message

def report_path_for(plan_path: Path) -> Path:
    return plan_path.with_name(plan_path.name[: -len(PLAN_SUFFIX)] + REPORT_SUFFIX)


def parse_addresses(items: list[str], flag: str, problems: list[str]) -> list[Address]:
    out = []
    for item in items:
        name, addr = parseaddr(item)
        if not _ADDR.match(addr or "") or "\n" in item or "\r" in item:
            problems.append(f"{flag} {item!r} is not an email address (expected name@example.com)")
        else:
            out.append(Address(display_name=clean_text(name), addr_spec=addr))
    return out


def inline_images(html: str, domain: str) -> tuple[str, list[tuple[bytes, str, str]]]:
    """Swap each data: image for a cid: reference; identical images share one part."""
    parts: dict[bytes, tuple[str, str]] = {}

    def swap(m: re.Match) -> str:
        try:
            data = base64.b64decode(re.sub(r"\s+", "", m.group(4)), validate=True)
        except binascii.Error:
            raise MailInputError(["the report holds an embedded image that is not valid "
                                  "base64; write it again with `staffplan plan`"]) from None
        if data not in parts:
            parts[data] = (m.group(3).lower(), make_msgid("chart", domain=domain)[1:-1])
        return f"{m.group(1)}{m.group(2)}cid:{parts[data][1]}{m.group(2)}"

    html = _DATA_IMG.sub(swap, html)
    return html, [(data, sub, cid) for data, (sub, cid) in parts.items()]


def build_message(plan_path: Path, html: str, facts: PlanFacts, to: list[Address],
                  cc: list[Address], subject: str | None, sender: Address | None,
                  draft: bool = False) -> EmailMessage:
    domain = sender.domain if sender else "staffplan.invalid"
    msg = EmailMessage()
    if sender:
        msg["From"] = sender
    msg["To"] = to
    if cc:
        msg["Cc"] = cc
    msg["Subject"] = clean_text(subject) if subject else default_subject(facts)
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid("staffplan", domain=domain)
    msg["X-Mailer"] = f"staffplan {__version__}"
    if draft:
        msg["X-Unsent"] = "1"  # Outlook and others open the file as a draft to send
    msg.set_content(plain_text(html, plan_path.name))
    html, images = inline_images(html, domain)
    msg.add_alternative(html, subtype="html")
    html_part = msg.get_payload()[1]
    for i, (data, sub, cid) in enumerate(images, 1):
        html_part.add_related(data, maintype="image", subtype=sub, cid=f"<{cid}>",
                              disposition="inline", filename=f"chart{i}.{sub}")
    msg.add_attachment(plan_path.read_bytes(), maintype="application", subtype=XLSX_SUBTYPE,
                       filename=plan_path.name)
    return msg


def sender_address(settings: MailSettings) -> Address | None:
    """The From address: STAFFPLAN_MAIL_FROM, else a user name that is an address, else None."""
    raw = settings.mail_from or (settings.user if settings.user and "@" in settings.user else "")
    if not raw:
        return None
    name, addr = parseaddr(raw)
    if not _ADDR.match(addr or ""):
        raise MailError(f"STAFFPLAN_MAIL_FROM {raw!r} is not an email address "
                        "(expected name@example.com or 'Name <name@example.com>')")
    return Address(display_name=clean_text(name) or DEFAULT_DISPLAY_NAME, addr_spec=addr)
