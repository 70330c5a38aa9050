"""Real processes for the scale-out tests: a private redis-server and `otklik worker`s."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
    """Poll `condition` until it holds; fail the test after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds} s waiting for {what}")
        time.sleep(0.1)


class RedisBroker:
    """A redis-server of our own on a free port, so that restarting it disturbs nobody."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        """Start the server (without persistence: a restart loses what was queued)."""
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port)
        wait_for(lambda: _pings(client), 15, "redis-server to start")

    def stop(self) -> None:
        """Kill the server at once, as a crash would."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self.process = None


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False


class Workers:
    """`otklik worker` processes, each in its own process group, all killed at the end."""

    def __init__(self, folder: Path, config: Path, database: str, broker: str) -> None:
        self.folder, self.config, self.database, self.broker = folder, config, database, broker
        self.started: list[tuple[subprocess.Popen, Path]] = []

    def start(self, *args: str) -> tuple[subprocess.Popen, Path]:
        """Start one worker with these extra options; returns it and its log file."""
        log = self.folder / f"worker-{len(self.started)}.log"
        command = [sys.executable, "-m", "monitor", "worker", "--config", str(self.config)]
        command += ["--database", self.database, *args]
        env = {**os.environ, "PYTHONPATH": str(ROOT), "OTKLIK_BROKER_URL": self.broker}
        with log.open("wb") as out:
            process = subprocess.Popen(
                command,
                cwd=self.folder,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.started.append((process, log))
        return process, log

    @staticmethod
    def kill(process: subprocess.Popen) -> None:
        """SIGKILL the worker and its pool processes (its whole process group)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)

    def stop_all(self) -> None:
        """Ask every worker to stop, then kill what is left."""
        for process, _log in self.started:
            if process.poll() is None:
                try:
                    process.terminate()  # the main process: a warm shutdown of its pool
                except ProcessLookupError:
                    continue
        deadline = time.monotonic() + 10
        for process, _log in self.started:
            try:
                process.wait(max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                self.kill(process)
            else:
                self.kill(process)  # pool children left behind, if any


def ready(log: Path) -> bool:
    """The worker has connected and is taking tasks."""
    return log.exists() and b" ready." in log.read_bytes()


class RabbitVhost:
    """A virtual host of our own on the local RabbitMQ, deleted at the end."""

    def __init__(self) -> None:
        self.name = f"otklik-test-{os.getpid()}-{free_port()}"
        self.url = f"amqp://guest:guest@127.0.0.1:5672/{self.name}"

    def create(self) -> bool:
        """Add the vhost with guest's rights; False when rabbitmqctl cannot."""
        for command in (
            ["rabbitmqctl", "-q", "add_vhost", self.name],
            ["rabbitmqctl", "-q", "set_permissions", "-p", self.name, "guest", ".*", ".*", ".*"],
        ):
            try:
                done = subprocess.run(command, capture_output=True, timeout=60)
            except (OSError, subprocess.TimeoutExpired):
                return False
            if done.returncode != 0:
                return False
        return True

    def delete(self) -> None:
        """Remove the vhost and its queues."""
        subprocess.run(
            ["rabbitmqctl", "-q", "delete_vhost", self.name], capture_output=True, timeout=60
        )
