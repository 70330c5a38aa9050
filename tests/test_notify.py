"""Delivery over a real SMTP server (aiosmtpd) and a real Bot API server on 127.0.0.1."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from sla_helpers import (
    add_incident,
    config_file,
    event_kinds,
    make_context,
    make_settings,
    msk,
    stored_notifications,
)
from sqlalchemy import update
from typer.testing import CliRunner

from monitor.cli import app
from monitor.incidents.deadlines import tick
from monitor.notify import deliver_pending
from monitor.notify.delivery import backoff
from monitor.store.tables import notifications

TOKEN = "123456:secret-token"
REGISTERED = msk("2025-10-31 08:00")  # before the 09:00 digest: one "assigned" per channel
QUEUED_AT = msk("2025-10-31 08:05")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that keeps what arrives and can refuse the first few."""

    def __init__(self, refuse_first: int = 0) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.refuse_first = refuse_first
        self.calls = 0

    async def handle_DATA(self, server, session, envelope):
        self.calls += 1
        if self.calls <= self.refuse_first:
            return "451 4.3.0 Temporary failure, try later"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message)
        return "250 OK"


@pytest.fixture
def smtp_server():
    servers = []

    def start(refuse_first: int = 0):
        inbox = Inbox(refuse_first)
        controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
        controller.start()
        servers.append(controller)
        return inbox, controller.port

    yield start
    for controller in servers:
        controller.stop()


class BotApi(ThreadingHTTPServer):
    """A Bot API server answering sendMessage; `failures` are statuses returned first."""

    def __init__(self, failures: list[tuple[int, dict]]) -> None:
        super().__init__(("127.0.0.1", 0), _BotHandler)
        self.failures = failures
        self.calls: list[tuple[str, dict]] = []
        self.messages: list[dict] = []


class _BotHandler(BaseHTTPRequestHandler):
    server: BotApi

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.calls.append((self.path, body))
        if self.server.failures:
            status, answer = self.server.failures.pop(0)
        elif self.path != f"/bot{TOKEN}/sendMessage":
            status, answer = 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        else:
            self.server.messages.append(body)
            status, answer = 200, {"ok": True, "result": {"message_id": len(self.server.messages)}}
        payload = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def bot_api():
    servers = []

    def start(failures=()):
        server = BotApi(list(failures))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server, f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(autouse=True)
def bot_token(monkeypatch):
    monkeypatch.setenv("OTKLIK_TELEGRAM_BOT_TOKEN", TOKEN)


def _context(db_url, smtp_port=None, bot_url=None, **notify):
    email_on = {"enabled": smtp_port is not None, "host": "127.0.0.1", "port": smtp_port or 25}
    telegram_on = {"enabled": bot_url is not None, "base_url": bot_url or "http://127.0.0.1:9"}
    settings = make_settings(db_url, email=email_on, telegram=telegram_on)
    for key, value in notify.items():
        setattr(settings.notify, key, value)
    return make_context(settings)


def _queue(ctx, count=1):
    for number in range(count):
        add_incident(
            ctx.db, ctx.settings, registered_at=REGISTERED, title=f"Яма на дороге {number}"
        )
    tick(ctx, QUEUED_AT)


def test_email_arrives_once(db_url, smtp_server):
    inbox, port = smtp_server()
    ctx = _context(db_url, smtp_port=port)
    _queue(ctx)
    report = deliver_pending(ctx, QUEUED_AT)
    assert report.sent == 1
    [message] = inbox.messages
    assert message["To"] == "mindor@example.ru"
    assert message["From"] == "otklik@localhost"
    assert message["Subject"] == "Новый инцидент №1: Яма на дороге 0"
    assert "вам назначен инцидент №1" in message.get_content()
    [stored] = stored_notifications(ctx.db)
    assert (stored.state, stored.attempts, stored.sent_at) == ("sent", 1, QUEUED_AT)
    assert "notification_sent" in event_kinds(ctx.db, stored.incident_id)

    again = deliver_pending(ctx, QUEUED_AT + timedelta(hours=1))
    assert again.sent == 0
    assert len(inbox.messages) == 1
    ctx.engine.dispose()


def test_telegram_send_message_arrives(sqlite_url, bot_api):
    server, url = bot_api()
    ctx = _context(sqlite_url, bot_url=url)
    _queue(ctx, count=2)
    assert deliver_pending(ctx, QUEUED_AT).sent == 2
    assert [m["chat_id"] for m in server.messages] == ["1001", "1001"]
    assert server.messages[0]["text"].startswith("Новый инцидент №1: Яма на дороге 0\n\n")
    assert all(path == f"/bot{TOKEN}/sendMessage" for path, _ in server.calls)
    ctx.engine.dispose()


def test_failing_server_is_retried_with_backoff_until_it_recovers(db_url, bot_api):
    failure = {"ok": False, "error_code": 500, "description": "Internal Server Error"}
    server, url = bot_api(failures=[(500, failure), (502, failure)])
    ctx = _context(db_url, bot_url=url)
    _queue(ctx)
    t0 = QUEUED_AT
    assert deliver_pending(ctx, t0).deferred == 1
    [row] = stored_notifications(ctx.db)
    assert (row.state, row.attempts, row.next_attempt_at) == (
        "pending",
        1,
        t0 + timedelta(seconds=60),
    )
    assert "Telegram 500" in row.last_error

    assert deliver_pending(ctx, t0 + timedelta(seconds=30)).deferred == 0  # not due yet
    assert len(server.calls) == 1

    t1 = t0 + timedelta(seconds=61)
    assert deliver_pending(ctx, t1).deferred == 1
    [row] = stored_notifications(ctx.db)
    assert row.next_attempt_at == t1 + timedelta(seconds=120)  # the wait doubles

    assert deliver_pending(ctx, t1 + timedelta(seconds=121)).sent == 1
    [row] = stored_notifications(ctx.db)
    assert (row.state, row.attempts) == ("sent", 3)
    assert len(server.messages) == 1
    kinds = event_kinds(ctx.db, row.incident_id)
    assert kinds.count("notification_failed") == 2 and kinds.count("notification_sent") == 1
    ctx.engine.dispose()


def test_smtp_temporary_refusal_then_delivery(sqlite_url, smtp_server):
    inbox, port = smtp_server(refuse_first=1)
    ctx = _context(sqlite_url, smtp_port=port)
    _queue(ctx)
    assert deliver_pending(ctx, QUEUED_AT).deferred == 1
    assert inbox.messages == []
    [row] = stored_notifications(ctx.db)
    assert "451" in row.last_error
    assert deliver_pending(ctx, row.next_attempt_at).sent == 1
    assert len(inbox.messages) == 1
    ctx.engine.dispose()


def test_a_channel_that_stays_down_does_not_block_the_queue(sqlite_url, bot_api):
    server, url = bot_api()
    closed_port = free_port()  # nothing listens there
    ctx = _context(sqlite_url, smtp_port=closed_port, bot_url=url)
    _queue(ctx, count=3)
    for attempt in range(3):
        report = deliver_pending(ctx, QUEUED_AT + timedelta(hours=attempt * 3))
        # One email is tried and deferred; the others wait without a wasted attempt.
        assert (report.deferred, report.skipped) == (1, 2)
        if attempt == 0:
            assert report.sent == 3
    assert len(server.messages) == 3
    emails = stored_notifications(ctx.db, channel="email")
    assert {row.state for row in emails} == {"pending"}
    assert sorted(row.attempts for row in emails) == [1, 1, 1]  # each tried once in turn
    assert "недоступен" in emails[0].last_error
    ctx.engine.dispose()


def test_token_never_lands_in_errors(sqlite_url):
    ctx = _context(sqlite_url, bot_url=f"http://127.0.0.1:{free_port()}")
    _queue(ctx)
    assert deliver_pending(ctx, QUEUED_AT).deferred == 1
    [row] = stored_notifications(ctx.db)
    assert "Telegram недоступен" in row.last_error
    assert TOKEN not in row.last_error
    with ctx.db.connect() as connection:
        events = connection.exec_driver_sql("SELECT payload FROM events").scalars().all()
    assert not any(TOKEN in str(payload) for payload in events)
    ctx.engine.dispose()


def test_missing_token_defers_without_calling_the_server(sqlite_url, bot_api, monkeypatch):
    monkeypatch.delenv("OTKLIK_TELEGRAM_BOT_TOKEN")
    server, url = bot_api()
    ctx = _context(sqlite_url, bot_url=url)
    _queue(ctx)
    assert deliver_pending(ctx, QUEUED_AT).deferred == 1
    assert server.calls == []
    assert "OTKLIK_TELEGRAM_BOT_TOKEN" in stored_notifications(ctx.db)[0].last_error
    ctx.engine.dispose()


def test_rejected_message_is_not_retried(sqlite_url, bot_api):
    refusal = {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"}
    server, url = bot_api(failures=[(400, refusal)])
    ctx = _context(sqlite_url, bot_url=url)
    _queue(ctx)
    assert deliver_pending(ctx, QUEUED_AT).failed == 1
    [row] = stored_notifications(ctx.db)
    assert (row.state, row.next_attempt_at) == ("failed", None)
    assert "chat not found" in row.last_error
    assert deliver_pending(ctx, QUEUED_AT + timedelta(days=1)).failed == 0
    assert len(server.calls) == 1
    ctx.engine.dispose()


def test_rate_limit_waits_as_long_as_asked(sqlite_url, bot_api):
    limited = {"ok": False, "error_code": 429, "parameters": {"retry_after": 300}}
    server, url = bot_api(failures=[(429, limited)])
    ctx = _context(sqlite_url, bot_url=url)
    _queue(ctx)
    deliver_pending(ctx, QUEUED_AT)
    [row] = stored_notifications(ctx.db)
    assert row.next_attempt_at == QUEUED_AT + timedelta(seconds=300)
    ctx.engine.dispose()


def test_gives_up_after_max_attempts(sqlite_url, bot_api):
    failure = {"ok": False, "description": "Internal Server Error"}
    server, url = bot_api(failures=[(500, failure)] * 5)
    ctx = _context(sqlite_url, bot_url=url, max_attempts=2)
    _queue(ctx)
    deliver_pending(ctx, QUEUED_AT)
    report = deliver_pending(ctx, QUEUED_AT + timedelta(hours=1))
    assert report.failed == 1
    [row] = stored_notifications(ctx.db)
    assert (row.state, row.attempts) == ("failed", 2)
    ctx.engine.dispose()


def test_a_send_interrupted_mid_way_is_retried_after_its_claim(sqlite_url, bot_api):
    server, url = bot_api()
    ctx = _context(sqlite_url, bot_url=url)
    _queue(ctx)
    with ctx.db.begin() as connection:  # as a sender that died after claiming
        connection.execute(
            update(notifications).values(
                state="sending", attempts=1, next_attempt_at=QUEUED_AT + timedelta(minutes=5)
            )
        )
    assert deliver_pending(ctx, QUEUED_AT).sent == 0
    assert deliver_pending(ctx, QUEUED_AT + timedelta(minutes=6)).sent == 1
    assert len(server.messages) == 1
    ctx.engine.dispose()


def test_backoff_doubles_and_is_capped():
    notify = make_settings("sqlite://").notify
    waits = [backoff(notify, attempt).total_seconds() for attempt in range(1, 9)]
    assert waits == [60, 120, 240, 480, 960, 1920, 3600, 3600]


def test_cli_notify_send(sqlite_url, smtp_server, tmp_path):
    inbox, port = smtp_server()
    ctx = _context(sqlite_url, smtp_port=port)
    _queue(ctx)
    ctx.engine.dispose()
    config = config_file(
        tmp_path, sqlite_url, email={"enabled": True, "host": "127.0.0.1", "port": port}
    )
    result = CliRunner().invoke(
        app, ["notify", "send", "--now", QUEUED_AT.isoformat(), "--config", str(config)]
    )
    assert result.exit_code == 0, result.output
    assert "Отправлено уведомлений: 1" in result.output
    assert len(inbox.messages) == 1
