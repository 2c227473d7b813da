"""Three real `fellowship serve` processes behind Debian's nginx on loopback, sharing one
PostgreSQL database, with the Bot API stand-in posting updates to them as Telegram's webhook
does (bot.standin.webhook). Used by tests/test_workers_chaos.py and bench/workers.py.
With `polling=True`: one `fellowship run` process (long polling, no proxy), as bench/surge.py
runs the bot in one process."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "deploy" / "nginx" / "fellowship.conf"
WEBHOOK_PATH = "/telegram/webhook"
SECRET = "cluster-webhook-secret-0123456789abcdef"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def nginx_config(work: Path, listen: int, workers: list[int]) -> str:
    """The shipped site file, on plain HTTP at `listen`, with these workers: the real config,
    so the test proves what we ship (only TLS and ports differ)."""
    site = SITE.read_text()
    site = re.sub(r"\n\s*listen \[::\]:443[^\n]*", "", site)
    site = re.sub(r"listen 443 ssl http2;", f"listen 127.0.0.1:{listen};", site)
    site = re.sub(r"\n\s*ssl_certificate[^\n]*", "", site)
    servers = "\n".join(f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=2s;" for p in workers)
    site = re.sub(r"(\n\s*server 127\.0\.0\.1:808\d[^\n]*)+", "\n" + servers, site)
    temp = work / "nginx-temp"
    temp.mkdir(exist_ok=True)
    os.chmod(temp, 0o777)
    temps = "\n".join(f"    {kind}_temp_path {temp}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return (
        f"worker_processes 1;\npid {work}/nginx.pid;\nerror_log {work}/nginx-error.log warn;\n"
        "events { worker_connections 1024; }\n"
        f"http {{\n{temps}\n    client_body_buffer_size 256k;\n{site}\n}}\n"
    )


@dataclass
class Cluster:
    """nginx plus N worker processes; start, kill, restart them."""

    work: Path
    database_url: str
    api_url: str
    secret_key: str
    token: str
    size: int = 3
    lease_seconds: float = 10.0
    extra_env: dict[str, str] = field(default_factory=dict)
    polling: bool = False  # `fellowship run` (size 1): long polling, no webhook, no nginx
    proxy_port: int = field(default_factory=free_port)
    ports: list[int] = field(default_factory=list)
    procs: dict[int, subprocess.Popen[bytes]] = field(default_factory=dict)
    nginx: subprocess.Popen[bytes] | None = None

    @property
    def webhook_url(self) -> str:
        return f"http://127.0.0.1:{self.proxy_port}{WEBHOOK_PATH}"

    def env(self, port: int) -> dict[str, str]:
        webhook = {} if self.polling else {"WEBHOOK_URL": self.webhook_url, "WEBHOOK_SECRET": SECRET}
        return {
            **{k: v for k, v in os.environ.items() if not k.startswith(("TEST_", "PYTEST"))},
            "PYTHONPATH": str(ROOT),
            "DATABASE_URL": self.database_url,
            "FELLOWSHIP_SECRET_KEY": self.secret_key,
            "TELEGRAM_BOT_TOKEN": self.token,
            "TELEGRAM_API_URL": self.api_url,
            **webhook,
            "WEB_HOST": "127.0.0.1",
            "WEB_PORT": str(port),
            "INBOX_LEASE_SECONDS": str(self.lease_seconds),
            "FLOOD_MAX_UPDATES": "1000",
            "LOG_LEVEL": "WARNING",
            **self.extra_env,
        }

    async def start(self) -> None:
        self.ports = [free_port() for _ in range(self.size)]
        for index in range(self.size):
            self.spawn(index)
        await asyncio.gather(*(self.wait_ready(i) for i in range(self.size)))
        if not self.polling:
            self.start_nginx()
            await self.wait_http(f"http://127.0.0.1:{self.proxy_port}/healthz")

    def start_nginx(self) -> None:
        """Check the configuration with `nginx -t`, then run nginx in the foreground."""
        config = self.work / "nginx.conf"
        config.write_text(nginx_config(self.work, self.proxy_port, self.ports))
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        check = subprocess.run([nginx, "-t", "-p", str(self.work), "-c", str(config)], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
        self.nginx = subprocess.Popen([nginx, "-p", str(self.work), "-c", str(config), "-g", "daemon off;"])

    def spawn(self, index: int) -> None:
        port = self.ports[index]
        log = open(self.work / f"worker-{index}.log", "ab")
        command = ["run"] if self.polling else ["serve", "--no-migrate"]
        self.procs[index] = subprocess.Popen(
            [sys.executable, "-m", "bot", *command], env=self.env(port), cwd=self.work,
            stdout=log, stderr=subprocess.STDOUT,
        )

    async def wait_ready(self, index: int, timeout: float = 60.0) -> None:  # noqa: ASYNC109
        await self.wait_http(f"http://127.0.0.1:{self.ports[index]}/healthz", timeout=timeout, proc=self.procs[index])

    async def wait_http(self, url: str, *, timeout: float = 60.0, proc: subprocess.Popen[bytes] | None = None) -> None:  # noqa: ASYNC109
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(timeout=2) as client:
            while time.monotonic() < deadline:
                if proc is not None and proc.poll() is not None:
                    raise AssertionError(f"worker exited with {proc.returncode}: {self.logs()[-2000:]}")
                try:
                    if (await client.get(url)).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.1)
        raise AssertionError(f"{url} never became ready: {self.logs()[-2000:]}")

    def kill(self, index: int) -> None:
        """SIGKILL: no goodbye, updates it held stay leased until their lease ends."""
        self.procs[index].send_signal(signal.SIGKILL)
        self.procs[index].wait()

    async def restart(self, index: int, *, graceful: bool = True) -> None:
        proc = self.procs[index]
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM if graceful else signal.SIGKILL)
            await asyncio.to_thread(proc.wait, 30)
        self.spawn(index)
        await self.wait_ready(index)

    async def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs.values():
            try:
                await asyncio.to_thread(proc.wait, 20)
            except subprocess.TimeoutExpired:
                proc.kill()
        if self.nginx is not None and self.nginx.poll() is None:
            self.nginx.send_signal(signal.SIGQUIT)
            await asyncio.to_thread(self.nginx.wait, 10)

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in sorted(self.work.glob("worker-*.log")))
