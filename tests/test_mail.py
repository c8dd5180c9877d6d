"""Delivery against a real SMTP server (aiosmtpd) on 127.0.0.1 with STARTTLS and AUTH.

The certificate is self-signed and generated here; the client trusts it only
through STAFFPLAN_SMTP_CAFILE, so the TLS failure test is the same server
without that setting.
"""

from __future__ import annotations

import base64
import datetime as dt
import email
import email.policy
import ipaddress
import os
import re
import socket
import ssl
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import openpyxl
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from staffplan.cli import main
from staffplan.core.errors import MailError
from staffplan.delivery.message import PlanFacts, default_subject
from staffplan.delivery.settings import load_settings
from staffplan.reports.tables import fmt_fte

USER = "planner"
PASSWORD = "s3cret-Pässword-%42"
PLAN_NAME = "Expansion Asie–Pacifique"
SENDER = "Équipe Planification <plans@example.com>"


# --------------------------------------------------------------------------- fixtures

def _png(rgb: tuple[int, int, int]) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    raw = zlib.compress(b"\x00" + bytes(rgb))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", raw) + chunk(b"IEND", b""))


RED, BLUE = _png((255, 0, 0)), _png((0, 0, 255))


def make_plan(folder: Path, stem: str = "apac") -> Path:
    """A small plan pair with the machine-readable sheets of workbook.md."""
    wb = openpyxl.Workbook()
    wb.active.title = "Overview"
    wb.active.append(["Total cost", "this people sheet must not be read", 999])
    ws = wb.create_sheet("Summary")
    for row in [("key", "value"), ("plan_name", PLAN_NAME), ("mode", "integer"),
                ("status", "optimal"), ("total_cost", 12_345_678.4), ("objective", 13e6),
                ("unmet_fte_months", 6.5), ("total_hires", 42.0), ("mip_gap", 0.0004),
                ("solve_seconds", 1.5), ("currency", "USD"), ("horizon_start", "2026-01"),
                ("horizon_months", 24)]:
        ws.append(row)
    ws = wb.create_sheet("Hires")
    ws.append(["country", "role_id", "pay_point", "requisition_month", "start_month", "hires",
               "annual_salary", "currency"])
    ws.append(["JP", "dc_operator", "mid", "2025-11", "2026-02", 30.0, 90000, "JPY"])
    ws.append(["SG", "electrical_eng", "max", "2026-01", "2026-04", 12.0, 120000, "SGD"])
    ws = wb.create_sheet("Headcount")
    ws.append(["country", "role_id", "month", "requirement", "headcount", "productive",
               "contractors", "unmet", "separations", "moves_in", "moves_out"])
    for c, r, m, unmet in [("JP", "dc_operator", "2026-01", 2.0),
                           ("JP", "dc_operator", "2026-02", 1.5),
                           ("SG", "electrical_eng", "2026-03", 3.0),
                           ("SG", "electrical_eng", "2026-04", 0.0)]:
        ws.append([c, r, m, 10, 8, 8 - unmet, 0, unmet, 0, 0, 0])
    ws = wb.create_sheet("Costs")
    ws.append(["country", "year", "salaries", "contractors", "hiring", "moves", "separations",
               "total"])
    ws.append(["JP", 2026, 5_000_000, 100_000, 200_000, 0, 0, 5_300_000])
    ws.append(["SG", 2026, 3_000_000, 0, 45_678.4, 0, 0, 3_045_678.4])
    ws.append(["JP", 2027, 4_000_000, 0, 0, 0, 0, 4_000_000])
    plan = folder / f"{stem}-plan.xlsx"
    wb.save(plan)
    img = 'src="data:image/png;base64,{}"'
    (folder / f"{stem}-report.html").write_text(
        "<!doctype html><html><head><meta charset='utf-8'></head><body>"
        f"<h1>{PLAN_NAME}</h1><p>42 hires</p>"
        f'<img {img.format(base64.b64encode(RED).decode())} alt="Headcount JP">'
        f'<img alt="Hires" {img.format(base64.b64encode(BLUE).decode())}>'
        f'<img {img.format(base64.b64encode(RED).decode())} alt="Same chart again">'
        "</body></html>", encoding="utf-8")
    return plan


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    """No mail setting leaks in from the machine running the tests."""
    for var in list(os.environ):
        if var.startswith("STAFFPLAN_"):
            monkeypatch.delenv(var)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="module")
def cert(tmp_path_factory) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    crt = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
           .public_key(key.public_key()).serial_number(x509.random_serial_number())
           .not_valid_before(now - dt.timedelta(minutes=5))
           .not_valid_after(now + dt.timedelta(days=1))
           .add_extension(x509.SubjectAlternativeName(
               [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
               critical=False)
           .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
           .add_extension(ski, critical=False)
           .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski),
                          critical=False)
           .sign(key, hashes.SHA256()))
    d = tmp_path_factory.mktemp("cert")
    (d / "cert.pem").write_bytes(crt.public_bytes(serialization.Encoding.PEM))
    (d / "key.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    return d / "cert.pem", d / "key.pem"


class Recorder:
    """Stores what the server accepted; refuses RCPT for addresses in `reject`."""

    def __init__(self, reject: tuple[str, ...] = ()) -> None:
        self.reject = reject
        self.received: list[tuple[str, list[str], bytes]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.reject:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos),
                              envelope.original_content))
        return "250 Message accepted"


def _authenticator(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(request, cert):
    """A STARTTLS + AUTH server; parametrize indirectly with addresses to refuse."""
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(*cert)
    handler = Recorder(getattr(request, "param", ()))
    ctl = Controller(handler, hostname="127.0.0.1", port=_free_port(), tls_context=ctx,
                     require_starttls=True, authenticator=_authenticator,
                     auth_require_tls=True, ready_timeout=5)
    ctl.start()
    yield ctl, handler
    ctl.stop()


@pytest.fixture
def smtp_env(monkeypatch, server, cert):
    ctl, _ = server
    for var, value in [("HOST", "127.0.0.1"), ("PORT", str(ctl.port)), ("SECURITY", "starttls"),
                       ("USER", USER), ("PASSWORD", PASSWORD), ("CAFILE", str(cert[0])),
                       ("TIMEOUT", "5")]:
        monkeypatch.setenv(f"STAFFPLAN_SMTP_{var}", value)
    monkeypatch.setenv("STAFFPLAN_MAIL_FROM", SENDER)


def _send(*extra: str, plan: Path | None = None) -> int:
    return main(["-v", "send", str(plan or make_plan(Path.cwd())), *extra])


# --------------------------------------------------------------------------- success

def test_sends_plan_over_starttls_with_auth(server, smtp_env, capsys):
    ctl, handler = server
    plan = make_plan(Path.cwd())
    assert _send("--to", "ceo@example.com,cfo@example.com", "--cc", "Lead <lead@example.com>",
                 plan=plan) == 0
    err = capsys.readouterr().err
    assert "Sent to ceo@example.com, cfo@example.com (cc lead@example.com)" in err
    assert len(handler.received) == 1
    mail_from, rcpts, raw = handler.received[0]
    assert mail_from == "plans@example.com"
    assert rcpts == ["ceo@example.com", "cfo@example.com", "lead@example.com"]

    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg.get_content_type() == "multipart/mixed"
    assert msg["Subject"] == f"Hiring plan: {PLAN_NAME} - 42 hires, USD 12.3M (optimal)"
    assert msg["From"].addresses[0].display_name == "Équipe Planification"
    assert msg["Date"] and re.fullmatch(r"<[^<>@\s]+@example\.com>", msg["Message-ID"])
    assert "Cc" in msg and "Bcc" not in msg

    alternative = msg.get_payload()[0]
    assert alternative.get_content_type() == "multipart/alternative"
    text_part, related = alternative.get_payload()
    assert text_part.get_content_type() == "text/plain"
    assert related.get_content_type() == "multipart/related"
    html = related.get_payload()[0].get_content()
    assert "data:image" not in html
    cids = re.findall(r'src="cid:([^"]+)"', html)
    assert len(cids) == 3 and len(set(cids)) == 2  # the repeated chart is sent once
    images = {p["Content-ID"].strip("<>"): p.get_content() for p in related.get_payload()[1:]}
    assert set(cids) <= set(images)
    assert {images[c] for c in cids} == {RED, BLUE}

    attachments = list(msg.iter_attachments())
    assert [a.get_filename() for a in attachments] == ["apac-plan.xlsx"]
    assert attachments[0].get_content() == plan.read_bytes()

    text = text_part.get_content()
    # The text part is the report's story, read out of the HTML part.
    assert text.startswith(PLAN_NAME + "\r\n") and "42 hires" in text
    assert "apac-plan.xlsx" in text
    assert "999" not in text  # the people sheet is not where figures come from


def test_subject_and_recipients_from_the_command_line(server, smtp_env):
    _, handler = server
    assert _send("--to", "ceo@example.com", "--subject", "Q3 plan\r\nBcc: evil@example.com") == 0
    msg = email.message_from_bytes(handler.received[0][2], policy=email.policy.default)
    assert msg["Subject"] == "Q3 plan Bcc: evil@example.com"
    assert handler.received[0][1] == ["ceo@example.com"]


def test_sends_over_implicit_tls(cert, monkeypatch, capsys):
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(*cert)
    handler = Recorder()
    ctl = Controller(handler, hostname="127.0.0.1", port=_free_port(), ssl_context=ctx,
                     ready_timeout=5)
    ctl.start()
    try:
        for var, value in [("HOST", "127.0.0.1"), ("PORT", str(ctl.port)), ("SECURITY", "ssl"),
                           ("CAFILE", str(cert[0])), ("TIMEOUT", "5")]:
            monkeypatch.setenv(f"STAFFPLAN_SMTP_{var}", value)
        monkeypatch.setenv("STAFFPLAN_MAIL_FROM", "plans@example.com")
        assert _send("--to", "ceo@example.com") == 0
    finally:
        ctl.stop()
    assert f"via 127.0.0.1:{ctl.port} (TLS)" in capsys.readouterr().err
    msg = email.message_from_bytes(handler.received[0][2], policy=email.policy.default)
    assert msg["From"].addresses[0].display_name == "Staffplan"


def test_eml_draft_needs_no_server(monkeypatch, capsys):
    monkeypatch.setenv("STAFFPLAN_SMTP_PASSWORD", PASSWORD)
    monkeypatch.setenv("STAFFPLAN_MAIL_FROM", SENDER)
    plan = make_plan(Path.cwd())
    out = Path.cwd() / "draft.eml"
    assert _send("--to", "ceo@example.com", "--eml", str(out), plan=plan) == 0
    assert "draft.eml" in capsys.readouterr().err
    raw = out.read_bytes()
    assert PASSWORD.encode() not in raw
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg["X-Unsent"] == "1" and msg["To"] == "ceo@example.com"
    assert next(msg.iter_attachments()).get_content() == plan.read_bytes()
    assert [p.name for p in Path.cwd().iterdir() if p.name.endswith(".tmp")] == []


# --------------------------------------------------------------------------- failures

def test_unreachable_server_fails_fast(monkeypatch, capsys):
    monkeypatch.setenv("STAFFPLAN_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("STAFFPLAN_SMTP_PORT", str(_free_port()))  # closed
    monkeypatch.setenv("STAFFPLAN_MAIL_FROM", SENDER)
    t0 = time.monotonic()
    assert _send("--to", "ceo@example.com") == 5
    assert time.monotonic() - t0 < 5
    err = capsys.readouterr().err
    assert "could not reach the mail server 127.0.0.1:" in err and "Traceback" not in err


def test_silent_server_times_out(monkeypatch, capsys):
    with socket.socket() as listener:  # accepts connections, never says a word
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        monkeypatch.setenv("STAFFPLAN_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("STAFFPLAN_SMTP_PORT", str(listener.getsockname()[1]))
        monkeypatch.setenv("STAFFPLAN_SMTP_TIMEOUT", "0.5")
        monkeypatch.setenv("STAFFPLAN_MAIL_FROM", SENDER)
        t0 = time.monotonic()
        assert _send("--to", "ceo@example.com") == 5
        assert time.monotonic() - t0 < 3
    assert "did not answer within 0.5 s" in capsys.readouterr().err


def test_untrusted_certificate_is_a_tls_failure(server, smtp_env, monkeypatch, capsys):
    monkeypatch.delenv("STAFFPLAN_SMTP_CAFILE")
    assert _send("--to", "ceo@example.com") == 5
    err = capsys.readouterr().err
    assert "TLS failure" in err and "certificate" in err and "STAFFPLAN_SMTP_CAFILE" in err
    assert server[1].received == []


def test_refused_login(server, smtp_env, monkeypatch, capsys):
    monkeypatch.setenv("STAFFPLAN_SMTP_PASSWORD", "wrong-" + PASSWORD)
    assert _send("--to", "ceo@example.com") == 5
    err = capsys.readouterr().err
    assert "refused the login for user 'planner' (535" in err
    assert PASSWORD not in err
    assert server[1].received == []


@pytest.mark.parametrize("server", [("bad@example.com",)], indirect=True)
def test_partly_refused_recipients_reported_address_by_address(server, smtp_env, capsys):
    assert _send("--to", "ceo@example.com,bad@example.com", "--cc", "cfo@example.com") == 5
    err = capsys.readouterr().err
    assert "refused: bad@example.com (550 5.1.1 No such mailbox here)" in err
    assert "accepted: ceo@example.com" in err and "accepted: cfo@example.com" in err
    assert "Sent to" not in err
    assert [r[1] for r in server[1].received] == [["ceo@example.com", "cfo@example.com"]]


@pytest.mark.parametrize("server", [("bad@example.com", "worse@example.com")], indirect=True)
def test_all_recipients_refused(server, smtp_env, capsys):
    assert _send("--to", "bad@example.com,worse@example.com") == 5
    err = capsys.readouterr().err
    assert "refused every recipient" in err
    assert "refused: bad@example.com (550" in err and "refused: worse@example.com (550" in err
    assert server[1].received == []


def test_message_over_size_limit_is_not_sent(server, smtp_env, monkeypatch, capsys):
    monkeypatch.setenv("STAFFPLAN_MAIL_MAX_BYTES", "5000")
    assert _send("--to", "ceo@example.com") == 5
    err = capsys.readouterr().err
    assert "over the limit of 5.0 kB set by STAFFPLAN_MAIL_MAX_BYTES" in err
    assert server[1].received == []


def test_bad_input_lists_every_problem_and_sends_nothing(server, smtp_env, capsys):
    plan = make_plan(Path.cwd())
    (Path.cwd() / "apac-report.html").unlink()
    out = Path.cwd() / "x.eml"
    assert main(["send", str(plan), "--to", "ceo@example.com,not-an-address",
                 "--cc", "a b@example.com", "--eml", str(out)]) == 2
    err = capsys.readouterr().err
    assert "3 problems" in err and "apac-report.html does not exist" in err
    assert "'not-an-address' is not an email address" in err and "--cc 'a b@example.com'" in err
    assert not out.exists() and server[1].received == []
    assert main(["send", "plan.xlsx", "--to", "ceo@example.com"]) == 2
    assert "expected a name ending in -plan.xlsx" in capsys.readouterr().err
    assert main(["send", str(plan)]) == 2
    assert "no recipient" in capsys.readouterr().err


def test_missing_settings_are_named(capsys):
    assert _send("--to", "ceo@example.com") == 5
    err = capsys.readouterr().err
    assert "STAFFPLAN_SMTP_HOST" in err and "STAFFPLAN_MAIL_FROM" in err


def test_password_appears_in_no_output(server, cert, smtp_env, monkeypatch, capsys, caplog):
    caplog.set_level("DEBUG", logger="staffplan")
    out = Path.cwd() / "draft.eml"
    assert _send("--to", "ceo@example.com", "--eml", str(out)) == 0
    assert _send("--to", "ceo@example.com") == 0
    monkeypatch.setenv("STAFFPLAN_SMTP_PASSWORD", "wrong-" + PASSWORD)  # refused login
    assert _send("--to", "ceo@example.com") == 5
    monkeypatch.setenv("STAFFPLAN_SMTP_PASSWORD", PASSWORD)
    monkeypatch.setenv("STAFFPLAN_SMTP_CAFILE", str(out))  # not a certificate: TLS fails
    assert _send("--to", "ceo@example.com") == 5
    monkeypatch.delenv("STAFFPLAN_SMTP_CAFILE")
    assert _send("--to", "ceo@example.com") == 5  # untrusted certificate
    captured = capsys.readouterr()
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("staffplan"))
    assert "connecting to 127.0.0.1" in ours  # the logs were captured at all
    monkeypatch.setenv("STAFFPLAN_SMTP_CAFILE", str(cert[0]))
    verbose = subprocess.run(  # the real CLI, logging to stderr as a user would see it
        [sys.executable, "-m", "staffplan.cli", "-v", "send", "apac-plan.xlsx",
         "--to", "ceo@example.com"], capture_output=True, text=True, timeout=60)
    assert verbose.returncode == 0 and "connecting to 127.0.0.1" in verbose.stderr
    texts = [captured.out, captured.err, ours, verbose.stdout, verbose.stderr,
             out.read_text(encoding="utf-8"), repr(load_settings())]
    texts += [raw.decode("utf-8", "replace") for _, _, raw in server[1].received]
    assert len(server[1].received) == 2
    for text in texts:
        assert PASSWORD not in text
        assert base64.b64encode(PASSWORD.encode()).decode() not in text


# --------------------------------------------------------------------------- settings

def test_config_file_with_environment_overriding(tmp_path, monkeypatch):
    cfg = tmp_path / "mail.toml"
    cfg.write_text('smtp_host = "smtp.example.com"\nsmtp_port = 2525\n'
                   'mail_from = "plans@example.com"\nsmtp_security = "ssl"\n')
    s = load_settings(cfg)
    assert (s.host, s.effective_port, s.security) == ("smtp.example.com", 2525, "ssl")
    monkeypatch.setenv("STAFFPLAN_SMTP_HOST", "relay.example.com")
    monkeypatch.setenv("STAFFPLAN_SMTP_PORT", "587")
    s = load_settings(cfg)
    assert (s.host, s.effective_port, s.mail_from) == ("relay.example.com", 587,
                                                       "plans@example.com")
    (tmp_path / "staffplan-mail.toml").write_text('smtp_host = "default.example.com"\n')
    monkeypatch.delenv("STAFFPLAN_SMTP_HOST")
    assert load_settings().host == "default.example.com"  # the default place in the cwd


def test_config_file_problems_all_reported(tmp_path):
    cfg = tmp_path / "mail.toml"
    cfg.write_text('smtp_hots = "x"\nsmtp_port = "abc"\nsmtp_security = "tls"\n'
                   f'smtp_password = "{PASSWORD}"\n')
    cfg.chmod(0o644)
    with pytest.raises(MailError) as err:
        load_settings(cfg)
    text = str(err.value)
    assert "unknown setting 'smtp_hots'" in text and "smtp_port = 'abc'" in text
    assert "smtp_security = 'tls'" in text and "chmod 600" in text
    assert PASSWORD not in text
    cfg.chmod(0o600)
    cfg.write_text(f'smtp_password = "{PASSWORD}"\n')
    assert load_settings(cfg).password == PASSWORD
    with pytest.raises(MailError, match="does not exist"):
        load_settings(tmp_path / "nope.toml")


def test_default_subject():
    facts = PlanFacts({"plan_name": "North\r\nBcc: x@y.z", "total_hires": 12.5,
                            "total_cost": 950_000, "status": "feasible", "currency": "EUR",
                            "mode": "lp"})
    assert default_subject(facts) == ("Hiring plan: North Bcc: x@y.z - 12.5 hires, "
                                           "EUR 950k (feasible)")


# --------------------------------------------------------------------------- end to end

def test_plan_the_example_and_email_it(server, smtp_env, capsys):
    """`staffplan plan --lp --email-to` on the shipped example, received by the test server."""
    out = Path.cwd() / "reports"
    assert main(["plan", "--lp", "--out", str(out), "--email-to", "ceo@example.com"]) == 0
    assert "Sent to ceo@example.com via 127.0.0.1:" in capsys.readouterr().err
    plan = out / "apac_expansion-plan.xlsx"
    (raw,) = [r[2] for r in server[1].received]
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert next(msg.iter_attachments()).get_content() == plan.read_bytes()
    related = msg.get_payload()[0].get_payload()[1]
    html = related.get_payload()[0].get_content()
    cids = re.findall(r'src="cid:([^"]+)"', html)
    assert cids and "data:image" not in html
    images = {p["Content-ID"].strip("<>"): p for p in related.get_payload()[1:]}
    assert set(cids) == set(images)
    assert all(p.get_content()[:8] == b"\x89PNG\r\n\x1a\n" for p in images.values())
    wb = openpyxl.load_workbook(plan, read_only=True)
    summary = {k: v for k, v in wb["Summary"].iter_rows(min_row=2, values_only=True)}
    wb.close()
    text = msg.get_body(("plain",)).get_content()
    assert f"USD {summary['total_cost']:,.0f}" in text
    assert f"({fmt_fte(summary['total_hires'], 1)} hires)" in text
    assert summary["plan_name"] in msg["Subject"]


def test_timeout_and_port_must_be_real_numbers(tmp_path, monkeypatch):
    """`nan` passes a plain `< low` check; a port of 587.9 must not become 587."""
    cfg = tmp_path / "mail.toml"
    cfg.write_text('smtp_host = "smtp.example.com"\nsmtp_port = 587.9\n')
    monkeypatch.setenv("STAFFPLAN_SMTP_TIMEOUT", "nan")
    with pytest.raises(MailError) as err:
        load_settings(cfg)
    assert "smtp_port = 587.9" in str(err.value)
    assert "STAFFPLAN_SMTP_TIMEOUT = 'nan'" in str(err.value)
