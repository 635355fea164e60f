"""A server process: spawned in its own session, logged to a file, found again via a pid record."""

import atexit
import contextlib
import json
import os
import signal
import subprocess
import time
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

# Processes of this interpreter that must not outlive it (test servers); see ManagedProcess.start.
_owned: "weakref.WeakSet[ManagedProcess]" = weakref.WeakSet()


class ProcessConflict(RuntimeError):
    """A recorded process is alive but runs another command line than the one asked for."""


@dataclass(frozen=True)
class ProcessRecord:
    """What ``down`` and ``status`` need to find a process started by another invocation."""

    name: str
    pid: int
    argv: tuple[str, ...]
    log_path: str
    details: Mapping[str, str] = field(default_factory=dict)

    def save(self, path: Path) -> None:
        """Write the record atomically."""
        path.parent.mkdir(parents=True, exist_ok=True)
        scratch = path.with_suffix(".tmp")
        payload = {
            "name": self.name,
            "pid": self.pid,
            "argv": list(self.argv),
            "log_path": self.log_path,
            "details": dict(self.details),
        }
        scratch.write_text(json.dumps(payload, indent=2), encoding="utf-8")
        scratch.replace(path)

    @classmethod
    def load(cls, path: Path) -> "ProcessRecord | None":
        """Read a record; None when missing or unreadable."""
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            return cls(
                name=str(raw["name"]),
                pid=int(raw["pid"]),
                argv=tuple(str(arg) for arg in raw["argv"]),
                log_path=str(raw["log_path"]),
                details={str(k): str(v) for k, v in dict(raw.get("details", {})).items()},
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def is_live(self) -> bool:
        """Whether the pid is alive and still runs the recorded command (pids get reused)."""
        if not _pid_alive(self.pid):
            return False
        try:
            raw = Path(f"/proc/{self.pid}/cmdline").read_bytes()
        except OSError:
            return True  # no procfs (macOS): trust the pid
        return tuple(part.decode() for part in raw.split(b"\0") if part) == self.argv


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # An exited child of this interpreter stays a zombie (and answers kill 0) until reaped.
    with contextlib.suppress(ChildProcessError):
        reaped, _ = os.waitpid(pid, os.WNOHANG)
        if reaped == pid:
            return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rpartition(")")[2].split()[0] != "Z"


class ManagedProcess:
    """One server process, either spawned here or adopted from a pid record."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        *,
        log_path: Path,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        record_path: Path | None = None,
        details: Mapping[str, str] | None = None,
    ) -> None:
        self.name = name
        self.argv = tuple(argv)
        self.log_path = log_path
        self.env = dict(env) if env is not None else None
        self.cwd = cwd
        self.record_path = record_path
        self.details = dict(details or {})
        self._popen: subprocess.Popen[bytes] | None = None
        self._pid: int | None = None

    @property
    def pid(self) -> int | None:
        """The process id once started or adopted."""
        return self._pid

    def adopt(self) -> bool:
        """Take over the recorded process if it is still running; drop a stale record.

        Raises ProcessConflict when the recorded process runs a different command line (other
        ports, another cache): silently reusing it would hide the change.
        """
        if self.record_path is None:
            return False
        record = ProcessRecord.load(self.record_path)
        if record is None:
            return False
        if not record.is_live():
            self.record_path.unlink(missing_ok=True)
            return False
        if record.argv != self.argv:
            raise ProcessConflict(
                f"{self.name} is already running with other settings (pid {record.pid}, "
                f"{' '.join(record.argv)}); `cerchia-stack down` stops it"
            )
        self._pid = record.pid
        return True

    def start(self, *, owned: bool = False) -> None:
        """Spawn the process in a new session, appending its output to the log file.

        Its own session keeps a terminal's Ctrl-C away from it: the stack stops servers in order.
        ``owned`` processes are killed when this interpreter exits, whatever happens before.
        """
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            stamp = datetime.now(UTC).isoformat(timespec="seconds")
            log.write(f"\n=== {stamp} starting: {' '.join(self.argv)}\n".encode())
            log.flush()
            env = {**os.environ, **self.env} if self.env is not None else None
            self._popen = subprocess.Popen(
                self.argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=self.cwd,
                start_new_session=True,
            )
        self._pid = self._popen.pid
        if self.record_path is not None:
            ProcessRecord(self.name, self._pid, self.argv, str(self.log_path), self.details).save(
                self.record_path
            )
        if owned:
            _owned.add(self)

    def running(self) -> bool:
        """Whether the process is alive (a spawned child is reaped as soon as it exits)."""
        if self._popen is not None:
            return self._popen.poll() is None
        return self._pid is not None and _pid_alive(self._pid)

    @property
    def returncode(self) -> int | None:
        """Exit status of a spawned process that ended (negative: killed by that signal)."""
        return self._popen.poll() if self._popen is not None else None

    def signal(self, signum: int) -> None:
        """Send a signal to the process's whole group (a server's workers go with it)."""
        if self._pid is None or not self.running():
            return
        with contextlib.suppress(ProcessLookupError):
            try:
                os.killpg(self._pid, signum)
            except PermissionError:
                os.kill(self._pid, signum)

    def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the process to end; True when it has."""
        if self._popen is not None:
            try:
                self._popen.wait(timeout)
            except subprocess.TimeoutExpired:
                return False
            return True
        deadline = time.monotonic() + timeout
        while self.running():
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.1)
        return True

    def terminate(self, timeout: float = 15.0) -> None:
        """SIGTERM, then SIGKILL if it is still alive after ``timeout`` seconds."""
        self.signal(signal.SIGTERM)
        if not self.wait(timeout):
            self.kill()
        self._forget()

    def kill(self) -> None:
        """SIGKILL the process group and reap it."""
        self.signal(signal.SIGKILL)
        self.wait(10.0)
        self._forget()

    def _forget(self) -> None:
        if self.record_path is not None:
            record = ProcessRecord.load(self.record_path)
            if record is None or record.pid == self._pid:
                self.record_path.unlink(missing_ok=True)
        _owned.discard(self)

    def log_tail(self, lines: int = 40) -> str:
        """The last lines of the log, for error messages."""
        return read_tail(self.log_path, lines)


def read_tail(path: Path, lines: int) -> str:
    """The last ``lines`` lines of a text file ('' when it does not exist)."""
    try:
        with path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - 64 * 1024))
            data = handle.read()
    except OSError:
        return ""
    return "\n".join(data.decode(errors="replace").splitlines()[-lines:])


@atexit.register
def _kill_owned() -> None:
    for process in list(_owned):
        process.kill()
