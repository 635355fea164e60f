"""TCP ports: free ones for tests, and whether a fixed one is already taken."""

import contextlib
import os
import socket
from pathlib import Path

LOCALHOST = "127.0.0.1"


def free_ports(count: int, host: str = LOCALHOST) -> list[int]:
    """``count`` distinct ports the OS considers free right now (all held open while choosing)."""
    with contextlib.ExitStack() as stack:
        ports = []
        for _ in range(count):
            sock = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            sock.bind((host, 0))
            ports.append(int(sock.getsockname()[1]))
        return ports


def free_port(host: str = LOCALHOST) -> int:
    """One port the OS considers free right now."""
    return free_ports(1, host)[0]


def port_in_use(port: int, host: str = LOCALHOST) -> bool:
    """Whether binding ``host:port`` fails, i.e. some process already listens there."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # Servers set SO_REUSEADDR too, so a port in TIME_WAIT after a restart counts as free.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return True
        return False


def is_listening(port: int, host: str = LOCALHOST, timeout: float = 0.5) -> bool:
    """Whether a TCP connection to ``host:port`` succeeds."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def pid_listening_on(port: int) -> int | None:
    """The process with a listening TCP socket on ``port`` (Linux procfs), if visible."""
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            local, state, inode = parts[1], parts[3], parts[9]
            if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:
                inodes.add(inode)
    if not inodes:
        return None
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            for fd in (entry / "fd").iterdir():
                target = os.readlink(fd)
                if target.startswith("socket:[") and target[8:-1] in inodes:
                    return int(entry.name)
        except OSError:
            continue
    return None


def lineage(pid: int) -> list[int]:
    """``pid`` and its parents up to the first process (procfs; just ``pid`` without it)."""
    chain = [pid]
    while chain[-1] > 1 and len(chain) < 64:
        try:
            raw = Path(f"/proc/{chain[-1]}/stat").read_text()
        except OSError:
            break
        # The command name (field 2) may hold spaces; the parent's id follows its state.
        parent = int(raw[raw.rindex(")") + 2 :].split()[1])
        if parent <= 0:
            break
        chain.append(parent)
    return chain
