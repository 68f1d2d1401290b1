"""A throwaway PostgreSQL cluster for tests and benchmarks: initdb in a temporary folder, a free port on
127.0.0.1, trust authentication, fsync off; stopped and removed by `stop()` (or the `with` block).

    with PgCluster.start() as pg:
        url = pg.create_database("t1")     # postgresql+psycopg://atlas@127.0.0.1:<port>/t1

It needs Debian's PostgreSQL server binaries (/usr/lib/postgresql/<version>/bin, the `postgresql` package that
`make test` installs). initdb refuses to run as root, so as root every server command runs as the `postgres` user
(runuser) and the folder is handed to it. Nothing here is used by the app itself.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

USER = "atlas"  # the cluster's superuser (initdb -U)


def find_bindir() -> Path | None:
    """The newest /usr/lib/postgresql/<version>/bin holding initdb and pg_ctl, else initdb on PATH, else None."""
    found = []
    for initdb in glob.glob("/usr/lib/postgresql/*/bin/initdb"):
        version = Path(initdb).parent.parent.name
        if version.isdigit() and os.access(initdb, os.X_OK):
            found.append((int(version), Path(initdb).parent))
    if found:
        return max(found)[1]
    on_path = shutil.which("initdb")
    return Path(on_path).parent if on_path and shutil.which("pg_ctl") else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_server_user() -> tuple[list[str], str | None]:
    """(command prefix, owner name): as root, run as `postgres` (or `nobody`) through runuser."""
    if os.geteuid() != 0:
        return [], None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        runuser = shutil.which("runuser")
        if runuser:
            return [runuser, "-u", name, "--"], name
    raise RuntimeError("running as root, but there is no runuser or no postgres/nobody user to run initdb as")


@dataclass
class PgCluster:
    bindir: Path
    root: Path
    port: int
    prefix: list[str] = field(default_factory=list)
    _running: bool = False

    @classmethod
    def start(cls, bindir: Path | None = None, attempts: int = 3) -> PgCluster:
        bindir = bindir or find_bindir()
        if bindir is None:
            raise FileNotFoundError("PostgreSQL server binaries not found (apt-get install postgresql)")
        prefix, owner = _as_server_user()
        root = Path(tempfile.mkdtemp(prefix="atlas-pg-"))
        if owner:
            info = pwd.getpwnam(owner)
            os.chown(root, info.pw_uid, info.pw_gid)
        os.chmod(root, 0o700)
        cluster = cls(bindir, root, 0, prefix)
        try:
            cluster._run("initdb", "-D", str(root / "data"), "-U", USER, "--auth=trust", "-E", "UTF8", "--no-sync")
            for attempt in range(attempts):  # another process may take the free port before the server binds it
                cluster.port = free_port()
                try:
                    cluster._ctl_start()
                    break
                except subprocess.CalledProcessError:
                    if attempt == attempts - 1:
                        raise
        except BaseException:
            cluster.stop()
            raise
        return cluster

    def _run(self, tool: str, *args: str) -> subprocess.CompletedProcess:
        cmd = [*self.prefix, str(self.bindir / tool), *args]
        return subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=120, cwd=self.root)

    def _ctl_start(self) -> None:
        opts = f"-F -p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c max_connections=200"
        self._run("pg_ctl", "-D", str(self.root / "data"), "-l", str(self.root / "log"), "-o", opts, "-w", "start")
        self._running = True

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{USER}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """A new empty database; returns its URL."""
        import psycopg

        if not name.replace("_", "").isalnum():
            raise ValueError(f"database name {name!r}")
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user={USER} dbname=postgres", autocommit=True) as c:
            c.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        if self._running:
            try:
                self._run("pg_ctl", "-D", str(self.root / "data"), "-m", "immediate", "-w", "stop")
            except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
                pass
            self._running = False
        shutil.rmtree(self.root, ignore_errors=True)

    def log(self) -> str:
        try:
            return (self.root / "log").read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def __enter__(self) -> PgCluster:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
