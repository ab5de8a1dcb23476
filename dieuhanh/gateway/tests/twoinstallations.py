"""Two dieuhanh installations on this machine, each with its own database, data directory, key, organ codes and
server process: used by test_two_installations.py and the bench/gateway_*.py scripts."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))


def migrations_hash() -> str:
    digest = hashlib.sha256()
    for path in sorted((ROOT / "dieuhanh").glob("*/migrations/*.py")):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def _lock(name: str):
    with open(Path(tempfile.gettempdir()) / f"{name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _migrate(database_url: str, var_dir: Path) -> None:
    env = {**os.environ, "DATABASE_URL": database_url, "DIEUHANH_VAR_DIR": str(var_dir)}
    subprocess.run([PYTHON, "-m", "dieuhanh", "migrate", "-v0"], env=env, cwd=ROOT, check=True)


class Databases:
    """Makes migrated databases fast: one migrated template per set of migrations, kept between runs, copied."""

    def __init__(self, vendor: str, pg: dict | None = None):
        self.vendor, self.pg = vendor, pg or {}
        self.made: list[str] = []

    def _pg_admin(self):
        import psycopg

        return psycopg.connect(host=self.pg.get("HOST") or "127.0.0.1", port=self.pg.get("PORT") or 5432,
                               user=self.pg.get("USER") or "postgres", password=self.pg.get("PASSWORD") or None,
                               dbname="postgres", autocommit=True)

    def _pg_url(self, name: str) -> str:
        user, password = self.pg.get("USER") or "postgres", self.pg.get("PASSWORD") or ""
        auth = f"{user}:{password}" if password else user
        return f"postgres://{auth}@{self.pg.get('HOST') or '127.0.0.1'}:{self.pg.get('PORT') or 5432}/{name}"

    def make(self, name: str, workdir: Path) -> str:
        """A migrated database called ``name`` (a file under workdir on SQLite); returns its URL."""
        tag = migrations_hash()
        if self.vendor == "postgresql":
            template = f"dieuhanh_gw_tpl_{tag}"
            with _lock(template), self._pg_admin() as admin:
                if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template]).fetchone():
                    admin.execute(f'CREATE DATABASE "{template}"')
                    try:
                        _migrate(self._pg_url(template), workdir / "migrate-var")
                    except Exception:
                        admin.execute(f'DROP DATABASE "{template}"')
                        raise
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
            self.made.append(name)
            return self._pg_url(name)
        template_file = Path(tempfile.gettempdir()) / f"dieuhanh-gw-template-{tag}.sqlite3"
        with _lock(template_file.name):
            if not template_file.exists():
                partial = template_file.with_suffix(".partial")
                partial.unlink(missing_ok=True)
                _migrate(f"sqlite:///{partial}", workdir / "migrate-var")
                os.replace(partial, template_file)
        target = workdir / f"{name}.sqlite3"
        shutil.copyfile(template_file, target)
        return f"sqlite:///{target}"

    def drop_all(self) -> None:
        if self.vendor != "postgresql":
            return
        with self._pg_admin() as admin:
            for name in self.made:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Installation:
    installation_id: str
    code: str  # the organ code of its unit
    name: str
    workdir: Path
    database_url: str
    port: int = field(default_factory=free_port)
    env_extra: dict = field(default_factory=dict)
    server: subprocess.Popen | None = None
    worker: subprocess.Popen | None = None
    driver: subprocess.Popen | None = None
    driver_env: dict | None = None
    public_key: str = ""

    @property
    def inbox_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v1/gateway/inbox"

    def env(self) -> dict:
        var = self.workdir / "var"
        var.mkdir(parents=True, exist_ok=True)
        return {**os.environ, "DJANGO_SETTINGS_MODULE": "dieuhanh.settings", "DATABASE_URL": self.database_url,
                "DIEUHANH_VAR_DIR": str(var), "DIEUHANH_MEDIA_ROOT": str(var / "media"),
                "DIEUHANH_INSTALLATION_ID": self.installation_id, "DIEUHANH_HUEY_IMMEDIATE": "1", "REDIS_URL": "",
                "DIEUHANH_S3_BUCKET": "", "DIEUHANH_LOG_LEVEL": "ERROR", **self.env_extra}

    def run(self, action: str, *args) -> dict:
        """``action`` in this installation's driver process (started once, restarted when its settings change)."""
        env = self.env()
        if self.driver is None or self.driver.poll() is not None or self.driver_env != env:
            self.stop_driver()
            self.driver = subprocess.Popen([PYTHON, "-m", "dieuhanh.gateway.tests.installation", "serve"], env=env,
                                           cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            self.driver_env = env
        assert self.driver.stdin is not None and self.driver.stdout is not None
        self.driver.stdin.write("\t".join([action, *map(str, args)]) + "\n")
        self.driver.stdin.flush()
        line = self.driver.stdout.readline()
        if not line:
            raise RuntimeError(f"{self.installation_id} {action}: the driver exited")
        answer = json.loads(line)
        if isinstance(answer, dict) and "error" in answer:
            raise RuntimeError(f"{self.installation_id} {action}: {answer['trace']}")
        return answer

    def stop_driver(self) -> None:
        if self.driver is not None and self.driver.poll() is None:
            assert self.driver.stdin is not None
            self.driver.stdin.close()
            self._stop(self.driver)
        self.driver = None

    def gateway_once(self, limit: int = 1000) -> dict:
        return self.run("once", limit)

    def start_server(self, workers: int = 1) -> None:
        log = open(self.workdir / f"server-{self.port}.log", "ab")  # noqa: SIM115 (lives with the process)
        self.server = subprocess.Popen(
            [GUNICORN, "dieuhanh.wsgi", "-b", f"127.0.0.1:{self.port}", "-w", str(workers), "--timeout", "120"],
            env=self.env(), cwd=ROOT, stdout=log, stderr=log)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.server.poll() is not None:
                raise RuntimeError(f"{self.installation_id}'s server exited; see {log.name}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return
            time.sleep(0.2)
        raise RuntimeError(f"{self.installation_id}'s server did not start")

    def start_worker(self, lease: int = 10, backoff: float = 1) -> None:
        """`dieuhanh gateway run` in its own process; short lease and backoff so a bench recovers in seconds."""
        log = open(self.workdir / "worker.log", "ab")  # noqa: SIM115 (lives with the process)
        self.worker = subprocess.Popen([PYTHON, "-m", "dieuhanh", "gateway", "run", "--interval", "0.2",
                                        "--limit", "50", "--lease", str(lease), "--backoff", str(backoff)],
                                       env=self.env(), cwd=ROOT, stdout=log, stderr=log)

    @staticmethod
    def _stop(proc: subprocess.Popen | None, kill: bool = False) -> None:
        if proc is None or proc.poll() is not None:
            return
        proc.kill() if kill else proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=20)
        if proc.poll() is None:
            proc.kill()
            proc.wait()

    def stop_server(self, kill: bool = False) -> None:
        self._stop(self.server, kill)

    def stop(self) -> None:
        self.stop_worker(kill=True)
        self.stop_server()
        self.stop_driver()

    def stop_worker(self, kill: bool = False) -> None:
        self._stop(self.worker, kill)


def make_pair(workdir: Path, vendor: str, pg: dict | None = None, db_prefix: str = "dieuhanh_gw",
              extra_env: dict | None = None) -> tuple[Installation, Installation, Databases]:
    """Installations A (organ 000.00.00.H01) and B (000.00.00.H79), set up, keys made, routed to each other by
    HTTP, each trusting the other's key. Servers not started."""
    dbs = Databases(vendor, pg)
    a = Installation("inst-a", "000.00.00.H01", "Thành ủy Hà Nội", workdir / "a",
                     dbs.make(f"{db_prefix}_a", workdir))
    b = Installation("inst-b", "000.00.00.H79", "Thành ủy Thành phố Hồ Chí Minh", workdir / "b",
                     dbs.make(f"{db_prefix}_b", workdir))
    for one in (a, b):
        one.workdir.mkdir(parents=True, exist_ok=True)
        one.env_extra.update(extra_env or {})
    a.public_key = a.run("setup", a.code, a.name, b.code, b.name)["public_key"]
    b.public_key = b.run("setup", b.code, b.name, a.code, a.name)["public_key"]
    for one, other in ((a, b), (b, a)):
        one.env_extra.update({
            "DIEUHANH_GATEWAY_ROUTES": json.dumps([{"prefix": other.code, "url": other.inbox_url}]),
            "DIEUHANH_GATEWAY_PEERS": json.dumps({other.installation_id: other.public_key})})
    return a, b, dbs
