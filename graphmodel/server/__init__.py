"""A project-local Neo4j Community server with Neo4j Browser, built from Maven Central only.

Neo4j is not downloaded as a distribution tarball: :func:`install` asks Maven to resolve
the ``org.neo4j:neo4j`` artifact (the Community DBMS, server included) with all of its
runtime dependencies, plus the ``org.neo4j.client:neo4j-browser`` web app jar, into
``<project>/.neo4j/lib/``. :func:`start` then runs ``org.neo4j.server.CommunityEntryPoint``
on that classpath, which is what the official ``bin/neo4j console`` launcher does.

Layout of the home directory (default ``<project>/.neo4j``, override with the
environment variable ``GRAPHMODEL_NEO4J_HOME``)::

    pom.xml         generated; lists the two artifacts Maven resolves
    lib/            all jars, plus the ``.installed`` marker with the versions
    conf/neo4j.conf generated on every start
    web/browser/    the Browser web app unpacked from its jar, first on the classpath, so
                    that Neo4j serves it at /browser/ together with graphmodel/ (the style
                    and guide of graphmodel.browser, at /browser/graphmodel/...)
    data/ logs/ run/ import/ plugins/
    logs/console.log  stdout/stderr of the server
    run/neo4j.pid     pid of the running server
    password          generated password (mode 600) unless NEO4J_PASSWORD is set

By default :func:`start` writes graphmodel's Neo4j Browser style and guide there and sets
``browser.post_connect_cmd`` so that Browser applies the style and opens the guide when a
user connects (see ``docs/neo4j_browser.md``). The ports are 7687 (Bolt) and 7474 (HTTP),
or ``$GRAPHMODEL_NEO4J_BOLT_PORT`` and ``$GRAPHMODEL_NEO4J_HTTP_PORT`` (read at import),
for a second instance beside the project's one.

Command line (:mod:`graphmodel.cli`; ``python -m graphmodel.server`` is the same)::

    graphmodel server install|start|stop|restart|status|credentials

The Neo4j client (:mod:`graphmodel.neo4j_backend`) never imports this module: it finds the
local server's address and password through :mod:`graphmodel.settings` (the same home,
ports and ``password`` file).
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import re
import secrets
import shutil
import signal
import socket
import string
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from graphmodel import browser, settings
from graphmodel.errors import ServerError

NEO4J_VERSION = "5.26.30"
"""Pinned ``org.neo4j:neo4j`` version: the newest 5.26.x (LTS) on Maven Central."""

BROWSER_VERSION = "5.24.0"
"""Pinned ``org.neo4j.client:neo4j-browser`` version."""

DEPENDENCY_PLUGIN_VERSION = "3.8.1"
"""Pinned ``maven-dependency-plugin`` used for ``copy-dependencies``."""

HOME_ENV = "GRAPHMODEL_NEO4J_HOME"
BOLT_PORT_ENV = "GRAPHMODEL_NEO4J_BOLT_PORT"
HTTP_PORT_ENV = "GRAPHMODEL_NEO4J_HTTP_PORT"


def _env_port(name: str, default: int) -> int:
    """A port from the environment variable ``name`` (read once, at import), else ``default``."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise ValueError(f"{name} must be a TCP port number, got {raw!r}")
    return int(raw)


HOST = "127.0.0.1"
BOLT_PORT = _env_port(BOLT_PORT_ENV, 7687)
"""Bolt port: 7687, or ``$GRAPHMODEL_NEO4J_BOLT_PORT`` (for a second, private instance)."""
HTTP_PORT = _env_port(HTTP_PORT_ENV, 7474)
"""HTTP port (Browser): 7474, or ``$GRAPHMODEL_NEO4J_HTTP_PORT``."""
BOLT_URI = f"bolt://{HOST}:{BOLT_PORT}"
HTTP_URL = f"http://{HOST}:{HTTP_PORT}"
BROWSER_URL = f"{HTTP_URL}/browser/"

ASSETS_HOST = "localhost"
"""Host name in the URLs of the Browser assets: Neo4j Browser fetches remote content only
from hosts of ``browser.remote_content_hostname_whitelist``, and ``localhost`` is in its
default list (``guides.neo4j.com, localhost``)."""
ASSETS_PATH = browser.ASSETS_PATH
"""Where the server serves graphmodel's Browser assets (style, guide), see :func:`assets_url`."""

DEFAULT_USER = "neo4j"
DEFAULT_DATABASE = "neo4j"
MIN_PASSWORD_LENGTH = 8
"""Neo4j's default ``dbms.security.auth_minimum_password_length``."""

MAIN_CLASS = "org.neo4j.server.CommunityEntryPoint"
ADMIN_CLASS = "org.neo4j.cli.AdminTool"

PROJECT_DIR = settings.PROJECT_DIR

_MARKER = ".installed"
_JAVA_OPTIONS = (
    # The JVM options of the stock 5.26 neo4j.conf, minus -XX:+AlwaysPreTouch (it only
    # slows down starting a small development server), plus -XX:+ExitOnOutOfMemoryError.
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-XX:+ExitOnOutOfMemoryError",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Djdk.tls.ephemeralDHKeySize=2048",
    "-Djdk.tls.rejectClientInitiatedRenegotiation=true",
    "-XX:FlightRecorderOptions=stackdepth=256",
    "-XX:+UnlockDiagnosticVMOptions",
    "-XX:+DebugNonSafepoints",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
    "-Dlog4j2.disable.jmx=true",
    "-Dlog4j.layout.jsonTemplate.maxStringLength=32768",
    "-Dfile.encoding=UTF-8",
)
_JVM_KEY = "server.jvm.additional"
_START_BANNER = "==== graphmodel.server: starting Neo4j at"

# Starts "$@" in the background with output appended to $1 and prints its pid: the shell
# exits at once, so the server is not a child of this Python process (like nohup ... &).
_LAUNCHER = 'log=$1; shift; "$@" </dev/null >>"$log" 2>&1 & echo $!'


def password_file(home: Path | None = None) -> Path:
    """The file holding the local server's generated password (``<home>/password``)."""
    return _password_file(_home(home))


# --------------------------------------------------------------------------- paths


def default_home() -> Path:
    """Return the server's home directory.

    Returns
    -------
    Path
        ``$GRAPHMODEL_NEO4J_HOME`` if set, else ``<project>/.neo4j``.
    """
    return settings.neo4j_home()


def _home(home: Path | str | None) -> Path:
    return Path(home).expanduser().resolve() if home is not None else default_home()


def _say(message: str) -> None:
    print(f"[neo4j] {message}", file=sys.stderr, flush=True)


def _tail(path: Path, lines: int = 40) -> str:
    """The last ``lines`` lines of the log, from the latest start only."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return f"(no log at {path})"
    _, banner, latest = text.rpartition(_START_BANNER)
    if banner:  # drop the rest of the banner line
        latest = latest.partition("\n")[2]
    return "\n".join(latest.strip("\n").splitlines()[-lines:]) or "(log is empty)"


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` readable by the owner only (mode 600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chmod(path, 0o600)


def _ensure_layout(home: Path) -> None:
    for sub in ("conf", "data", "logs", "run", "import", "plugins", "lib"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    ignore = home / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# generated by graphmodel.server: nothing here is tracked\n*\n")


@contextlib.contextmanager
def _locked(home: Path) -> Iterator[None]:
    """Serialise install/start/stop of one home directory across processes."""
    home.mkdir(parents=True, exist_ok=True)
    with open(home / ".lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


# --------------------------------------------------------------------------- install


_POM = """<?xml version="1.0" encoding="UTF-8"?>
<!-- Generated by graphmodel.server; resolves the Neo4j server jars from Maven Central. -->
<project xmlns="http://maven.apache.org/POM/4.0.0"
         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
         xsi:schemaLocation="http://maven.apache.org/POM/4.0.0
                             https://maven.apache.org/xsd/maven-4.0.0.xsd">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.graphmodel</groupId>
  <artifactId>neo4j-server-runtime</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.neo4j</groupId>
      <artifactId>neo4j</artifactId>
      <version>{neo4j}</version>
    </dependency>
    <dependency>
      <groupId>org.neo4j.client</groupId>
      <artifactId>neo4j-browser</artifactId>
      <version>{browser}</version>
    </dependency>
  </dependencies>
</project>
"""


def _marker_text() -> str:
    return f"neo4j={NEO4J_VERSION}\nneo4j-browser={BROWSER_VERSION}\n"


def is_installed(home: Path | None = None) -> bool:
    """Tell whether the pinned Neo4j and Browser jars are installed.

    Parameters
    ----------
    home : Path, optional
        Server home directory; defaults to :func:`default_home`.

    Returns
    -------
    bool
        True if ``lib/.installed`` names the pinned versions and the main jars exist.
    """
    lib = _home(home) / "lib"
    try:
        marker = (lib / _MARKER).read_text()
    except OSError:
        return False
    return (
        marker == _marker_text()
        and (lib / f"neo4j-{NEO4J_VERSION}.jar").is_file()
        and (lib / f"neo4j-browser-{BROWSER_VERSION}.jar").is_file()
    )


def install(home: Path | None = None) -> Path:
    """Resolve Neo4j Community and Neo4j Browser from Maven Central into ``<home>/lib``.

    Writes ``<home>/pom.xml`` and runs ``mvn dependency:copy-dependencies`` with the
    runtime scope, so the jars come from Maven Central (through the local repository
    ``~/.m2/repository``, or whatever ``MAVEN_OPTS``/``settings.xml`` configure). Does
    nothing if the pinned versions are already installed.

    Parameters
    ----------
    home : Path, optional
        Server home directory; defaults to :func:`default_home`.

    Returns
    -------
    Path
        The home directory (the jars are in its ``lib`` subdirectory).

    Raises
    ------
    ServerError
        If Maven is missing or fails.
    """
    home = _home(home)
    with _locked(home):
        return _install(home)


def _install(home: Path) -> Path:
    _ensure_layout(home)
    if is_installed(home):
        return home
    mvn = shutil.which("mvn")
    if mvn is None:
        raise ServerError("Maven ('mvn') is not on PATH; it is needed to install Neo4j.")
    pom = home / "pom.xml"
    pom.write_text(_POM.format(neo4j=NEO4J_VERSION, browser=BROWSER_VERSION))
    staging = home / "lib.partial"
    shutil.rmtree(staging, ignore_errors=True)
    _say(
        f"installing Neo4j Community {NEO4J_VERSION} + Neo4j Browser {BROWSER_VERSION} "
        f"from Maven Central into {home / 'lib'} (the first time this downloads ~140 MB)..."
    )
    started = time.monotonic()
    cmd = [
        mvn,
        "-B",
        "-q",
        "-Dstyle.color=never",
        "-f",
        str(pom),
        f"org.apache.maven.plugins:maven-dependency-plugin:{DEPENDENCY_PLUGIN_VERSION}"
        ":copy-dependencies",
        f"-DoutputDirectory={staging}",
        "-DincludeScope=runtime",
    ]
    # Output is captured: with -q Maven 3.8 prints nothing useful on success but stray
    # terminal colour codes; on failure its output is part of the error.
    result = subprocess.run(
        cmd, cwd=home, stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        output = "\n".join((result.stdout + result.stderr).strip().splitlines()[-40:])
        raise ServerError(
            f"Maven failed (exit code {result.returncode}): {' '.join(cmd)}\n{output}"
        )
    for jar in (f"neo4j-{NEO4J_VERSION}.jar", f"neo4j-browser-{BROWSER_VERSION}.jar"):
        if not (staging / jar).is_file():
            raise ServerError(f"Maven finished but {jar} is missing from {staging}")
    (staging / _MARKER).write_text(_marker_text())
    lib = home / "lib"
    shutil.rmtree(lib, ignore_errors=True)
    staging.rename(lib)
    jars = sum(1 for _ in lib.glob("*.jar"))
    _say(f"installed {jars} jars in {time.monotonic() - started:.0f} s")
    return home


# --------------------------------------------------------------------------- credentials


def _password_file(home: Path) -> Path:
    return home / "password"


def _password(home: Path) -> str:
    """``$NEO4J_PASSWORD``, else the stored password, generated and stored on first use."""
    env = os.environ.get("NEO4J_PASSWORD")
    if env:
        return env
    path = _password_file(home)
    with contextlib.suppress(FileNotFoundError):
        stored = path.read_text(encoding="utf-8").strip()
        if stored:
            return stored
    # Letters and digits only: nothing a shell, a URL or a command-line parser could mangle.
    alphabet = string.ascii_letters + string.digits
    generated = "".join(secrets.choice(alphabet) for _ in range(32))
    _write_private(path, generated + "\n")
    return generated


def credentials(home: Path | None = None) -> dict[str, str]:
    """Return how to connect to the server.

    Each value comes from its environment variable if set, else from the project's
    server: ``NEO4J_URI`` (``bolt://127.0.0.1:7687``), ``NEO4J_USERNAME`` (``neo4j``),
    ``NEO4J_PASSWORD`` (the password stored in ``<home>/password``, generated there on
    first use) and ``NEO4J_DATABASE`` (``neo4j``).

    Parameters
    ----------
    home : Path, optional
        Server home directory; defaults to :func:`default_home`.

    Returns
    -------
    dict
        Keys ``uri``, ``user``, ``password`` and ``database``.
    """
    home = _home(home)
    return {
        "uri": os.environ.get("NEO4J_URI") or BOLT_URI,
        "user": os.environ.get("NEO4J_USERNAME") or DEFAULT_USER,
        "password": _password(home),
        "database": os.environ.get("NEO4J_DATABASE") or DEFAULT_DATABASE,
    }


# --------------------------------------------------------------------------- browser assets


def _web_dir(home: Path) -> Path:
    return home / "web"


def assets_dir(home: Path | None = None) -> Path:
    """Directory whose files the server serves under :data:`ASSETS_PATH`.

    It is ``<home>/web/browser/graphmodel``: ``<home>/web`` is the first entry of the
    server's classpath and holds ``browser/``, the Neo4j Browser web app unpacked from its
    jar, so Neo4j's Browser module (which serves the classpath resource ``browser`` at
    ``/browser``) serves it, our ``graphmodel/`` subdirectory included. Files there are
    read on every request: rewriting them needs no restart.
    """
    return _web_dir(_home(home)) / "browser" / "graphmodel"


def assets_url(name: str = "") -> str:
    """URL of a Browser asset, e.g. ``assets_url("style.grass")``.

    Uses :data:`ASSETS_HOST` (``localhost``) and :data:`HTTP_PORT`.
    """
    return f"http://{ASSETS_HOST}:{HTTP_PORT}{ASSETS_PATH}{name}"


def _prepare_web(home: Path) -> Path:
    """Unpack the Browser jar's ``browser/`` into ``<home>/web`` (once per Browser version)."""
    import zipfile

    web = _web_dir(home)
    marker = web / _MARKER
    if (
        marker.is_file()
        and marker.read_text() == _marker_text()
        and (web / "browser" / "index.html").is_file()
    ):
        return web
    jar = home / "lib" / f"neo4j-browser-{BROWSER_VERSION}.jar"
    staging = home / "web.partial"
    shutil.rmtree(staging, ignore_errors=True)
    with zipfile.ZipFile(jar) as archive:
        members = [m for m in archive.namelist() if m.startswith("browser/")]
        for member in members:  # jar entries are relative paths without ".."; check anyway
            if ".." in Path(member).parts or member.startswith("/"):
                raise ServerError(f"unexpected entry {member!r} in {jar}")
        archive.extractall(staging, members)
    if not (staging / "browser" / "index.html").is_file():
        raise ServerError(f"{jar} has no browser/index.html")
    (staging / _MARKER).write_text(_marker_text())
    shutil.rmtree(web, ignore_errors=True)
    staging.rename(web)
    return web


def _write_browser_assets(home: Path) -> str | None:
    """Unpack the web app, write the style and guide; return the post-connect commands.

    A failure (say, a query file being edited) is reported and the server starts anyway
    with a plain Browser: None is returned.
    """
    try:
        _prepare_web(home)
        browser.write_assets(assets_dir(home), base_url=assets_url())
        return browser.post_connect_cmd(assets_url())
    except Exception as exc:  # the server is still worth starting
        _say(f"Browser style/guide not installed ({type(exc).__name__}: {exc}); "
             "the Browser starts unstyled")
        return None


# --------------------------------------------------------------------------- config


def _settings(
    home: Path,
    post_connect_cmd: str | None,
    remote_content_hostname_allowlist: str | Sequence[str] | None,
    extra_config: Mapping[str, str] | Iterable[str] | None,
) -> list[tuple[str, str]]:
    settings: list[tuple[str, str]] = [
        ("server.directories.data", str(home / "data")),
        ("server.directories.logs", str(home / "logs")),
        ("server.directories.run", str(home / "run")),
        ("server.directories.lib", str(home / "lib")),
        ("server.directories.plugins", str(home / "plugins")),
        ("server.directories.import", str(home / "import")),
        ("server.default_listen_address", HOST),
        ("server.default_advertised_address", HOST),
        ("server.bolt.enabled", "true"),
        ("server.bolt.listen_address", f"{HOST}:{BOLT_PORT}"),
        ("server.bolt.advertised_address", f"{HOST}:{BOLT_PORT}"),
        ("server.http.enabled", "true"),
        ("server.http.listen_address", f"{HOST}:{HTTP_PORT}"),
        ("server.http.advertised_address", f"{HOST}:{HTTP_PORT}"),
        ("server.https.enabled", "false"),
        ("dbms.security.auth_enabled", "true"),
        # A 2-core / 24 GB development machine: small heap, 1 GB page cache.
        ("server.memory.heap.initial_size", "1g"),
        ("server.memory.heap.max_size", "2g"),
        ("server.memory.pagecache.size", "1g"),
        # Don't preallocate 256 MB transaction log files per database.
        ("db.tx_log.preallocate", "false"),
        # No phoning home (and no internet anyway).
        ("dbms.usage_report.enabled", "false"),
        ("client.allow_telemetry", "false"),
        # Netty's quiet period (default 5 s, paid twice) dominates the time to stop;
        # an internal but accepted setting of the pinned version.
        ("internal.dbms.bolt.netty_server_shutdown_quiet_period", "1"),
    ]
    settings += [(_JVM_KEY, option) for option in _JAVA_OPTIONS]
    if post_connect_cmd:
        settings.append(("browser.post_connect_cmd", post_connect_cmd))
    if remote_content_hostname_allowlist:
        hosts = remote_content_hostname_allowlist
        if not isinstance(hosts, str):
            hosts = ",".join(hosts)
        # Neo4j 5.26 and Browser 5.24 still call this setting "..._whitelist"; the name
        # "browser.remote_content_hostname_allowlist" is rejected as unknown by 5.26.
        settings.append(("browser.remote_content_hostname_whitelist", hosts))
    extra: list[tuple[str, str]] = []
    if isinstance(extra_config, Mapping):
        extra = [(str(k), str(v)) for k, v in extra_config.items()]
    elif extra_config is not None:
        for line in extra_config:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if "=" not in line:
                raise ValueError(f"extra config line is not KEY=VALUE: {line!r}")
            key, value = line.split("=", 1)
            extra.append((key.strip(), value.strip()))
    for key, value in extra:
        if key == "browser.remote_content_hostname_allowlist":
            key = "browser.remote_content_hostname_whitelist"
        positions = [i for i, (k, _) in enumerate(settings) if k == key]
        if positions and key != _JVM_KEY:
            settings[positions[0]] = (key, value)
        else:
            settings.append((key, value))
    return settings


def _render_config(settings: list[tuple[str, str]]) -> str:
    lines = [
        "# Generated by graphmodel.server on every start; edits are overwritten.",
        f"# Neo4j Community {NEO4J_VERSION}, Neo4j Browser {BROWSER_VERSION}.",
        "# server.jvm.additional and the heap sizes are applied by graphmodel.server",
        "# on the java command line (there is no bin/neo4j launcher).",
    ]
    lines += [f"{key}={value}" for key, value in settings]
    return "\n".join(lines) + "\n"


def _java_command(home: Path, settings: list[tuple[str, str]]) -> list[str]:
    values = dict(settings)
    cmd = [_java()]
    if values.get("server.memory.heap.initial_size"):
        cmd.append(f"-Xms{values['server.memory.heap.initial_size']}")
    if values.get("server.memory.heap.max_size"):
        cmd.append(f"-Xmx{values['server.memory.heap.max_size']}")
    cmd += [value for key, value in settings if key == _JVM_KEY]
    classpath = [str(home / "lib" / "*")]
    if (_web_dir(home) / "browser" / "index.html").is_file():
        # First, so that the classpath resource "browser" (what Neo4j serves at /browser)
        # is the unpacked web app with graphmodel's assets, not the Browser jar.
        classpath.insert(0, str(_web_dir(home)))
    cmd += [
        "-cp",
        os.pathsep.join(classpath),
        MAIN_CLASS,
        f"--home-dir={home}",
        f"--config-dir={home / 'conf'}",
        "--console-mode",
    ]
    return cmd


def _java() -> str:
    java_home = os.environ.get("JAVA_HOME")
    candidate = Path(java_home) / "bin" / "java" if java_home else None
    java = str(candidate) if candidate and candidate.is_file() else shutil.which("java")
    if java is None:
        raise ServerError("Java 17 or 21 is needed to run Neo4j 5.26, but 'java' is not found.")
    out = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    match = re.search(r'version "(\d+)', out.stderr + out.stdout)
    if match is None or int(match.group(1)) < 17:
        raise ServerError(f"Neo4j 5.26 needs Java 17 or 21; {java} says: {out.stderr.strip()}")
    return java


# --------------------------------------------------------------------------- processes


def _pid_file(home: Path) -> Path:
    return home / "run" / "neo4j.pid"


def _console_log(home: Path) -> Path:
    return home / "logs" / "console.log"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie (exited, not yet reaped by its parent) is not running
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _cmdline(pid: int) -> list[str]:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


def _is_ours(pid: int, home: Path) -> bool:
    args = _cmdline(pid)
    if not args:  # no /proc (not Linux): trust the pid file
        return _alive(pid) and not Path("/proc").is_dir()
    return MAIN_CLASS in args and f"--home-dir={home}" in args


def _our_pids(home: Path) -> list[int]:
    """All live server processes of this home, whether or not the pid file knows them."""
    pids: set[int] = set()
    recorded = _read_pid(home)
    if recorded is not None and _alive(recorded) and _is_ours(recorded, home):
        pids.add(recorded)
    proc = Path("/proc")
    if proc.is_dir():
        for entry in proc.iterdir():
            if entry.name.isdigit():
                pid = int(entry.name)
                if pid != os.getpid() and _is_ours(pid, home) and _alive(pid):
                    pids.add(pid)
    return sorted(pids)


def _read_pid(home: Path) -> int | None:
    try:
        return int(_pid_file(home).read_text().strip())
    except (OSError, ValueError):
        return None


def _running_pid(home: Path) -> int | None:
    pids = _our_pids(home)
    recorded = _read_pid(home)
    if recorded in pids:
        return recorded
    return pids[0] if pids else None


def _port_open(port: int, host: str = HOST) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


# --------------------------------------------------------------------------- queries


class _AuthFailed(Exception):
    pass


def _query(
    statement: str,
    password: str,
    *,
    user: str = DEFAULT_USER,
    database: str = DEFAULT_DATABASE,
    parameters: Mapping[str, Any] | None = None,
) -> Any:
    """Run one statement against the local server; return the first value of the first row.

    Uses the neo4j driver over Bolt when it is installed, else the HTTP API.
    Raises :class:`_AuthFailed` on wrong credentials, other exceptions when not ready.
    """
    try:
        import neo4j
        from neo4j.exceptions import AuthError
    except ImportError:
        return _http_query(statement, password, user=user, database=database, parameters=parameters)
    try:
        with (
            neo4j.GraphDatabase.driver(
                BOLT_URI, auth=(user, password), connection_timeout=5, max_connection_pool_size=1
            ) as driver,
            driver.session(database=database) as session,
        ):
            record = session.run(statement, dict(parameters or {})).single()
            return record[0] if record is not None and len(record) else None
    except AuthError as exc:
        raise _AuthFailed(str(exc)) from exc


def _http_query(
    statement: str,
    password: str,
    *,
    user: str,
    database: str,
    parameters: Mapping[str, Any] | None,
) -> Any:
    if not _port_open(BOLT_PORT):
        raise ConnectionError("Bolt port is not open yet")
    body = json.dumps(
        {"statements": [{"statement": statement, "parameters": dict(parameters or {})}]}
    ).encode()
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    request = urllib.request.Request(
        f"{HTTP_URL}/db/{database}/tx/commit",
        data=body,
        headers={
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Authorization": f"Basic {token}",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            payload = json.load(response)
    except urllib.error.HTTPError as exc:
        if exc.code in (401, 403):
            raise _AuthFailed(f"HTTP {exc.code}") from exc
        raise
    if payload.get("errors"):
        error = payload["errors"][0]
        if "Security" in error.get("code", ""):
            raise _AuthFailed(error.get("message", ""))
        raise RuntimeError(f"{error.get('code')}: {error.get('message')}")
    rows = payload["results"][0]["data"] if payload.get("results") else []
    return rows[0]["row"][0] if rows and rows[0]["row"] else None


def _change_default_password(new_password: str) -> None:
    """Replace the factory password neo4j/neo4j (the fallback if the initial one was missed)."""
    _query(
        "ALTER CURRENT USER SET PASSWORD FROM $old TO $new",
        "neo4j",
        database="system",
        parameters={"old": "neo4j", "new": new_password},
    )


def _set_initial_password(home: Path, password: str) -> None:
    """Run ``neo4j-admin dbms set-initial-password`` (its main class, same classpath)."""
    env = dict(os.environ, NEO4J_HOME=str(home), NEO4J_CONF=str(home / "conf"))
    cmd = [
        _java(),
        "-Xmx256m",
        "-cp",
        str(home / "lib" / "*"),
        ADMIN_CLASS,
        "dbms",
        "set-initial-password",
        "--",  # the password may start with "-"
        password,
    ]
    result = subprocess.run(
        cmd, env=env, cwd=home, capture_output=True, text=True, check=False, timeout=120
    )
    if result.returncode != 0:
        raise ServerError(
            "neo4j-admin dbms set-initial-password failed:\n"
            + (result.stdout + result.stderr).strip()
        )


def _http_version() -> str | None:
    try:
        with urllib.request.urlopen(f"{HTTP_URL}/", timeout=2) as response:
            return json.load(response).get("neo4j_version")
    except (OSError, ValueError):
        return None


# --------------------------------------------------------------------------- start/stop


def start(
    home: Path | None = None,
    *,
    post_connect_cmd: str | None = None,
    remote_content_hostname_allowlist: str | Sequence[str] | None = None,
    extra_config: Mapping[str, str] | Iterable[str] | None = None,
    browser_assets: bool = True,
    timeout: float = 120.0,
) -> dict[str, Any]:
    """Start the server in the background and wait until Bolt answers an authenticated query.

    Installs first if needed. Writes ``conf/neo4j.conf``, sets the initial password of
    user ``neo4j`` before the very first start, launches java in its own session with
    output to ``logs/console.log`` and its pid in ``run/neo4j.pid``, and returns once
    ``RETURN 1`` succeeds over Bolt with :func:`credentials`. If the server is already
    running it only waits for it to answer (the configuration is not re-applied; use
    :func:`stop` first to change it).

    Parameters
    ----------
    home : Path, optional
        Server home directory; defaults to :func:`default_home`.
    post_connect_cmd : str, optional
        Value of ``browser.post_connect_cmd``: Browser commands run after connecting,
        separated by ``;`` (e.g. ``"style http://localhost:7474/..."``). By default
        (None, with ``browser_assets``) the commands that apply graphmodel's style and
        open its guide (:func:`graphmodel.browser.post_connect_cmd`); ``""`` for none.
    remote_content_hostname_allowlist : str or sequence of str, optional
        Hosts Neo4j Browser may fetch content (guides, styles) from; written as
        ``browser.remote_content_hostname_whitelist``, the name 5.26 knows.
    extra_config : mapping or iterable of "KEY=VALUE" str, optional
        Further ``neo4j.conf`` settings; they override the defaults
        (``server.jvm.additional`` lines are appended).
    browser_assets : bool
        Unpack the Browser web app into ``<home>/web`` and write graphmodel's Browser
        style and guide there (:func:`graphmodel.browser.write_assets`), served at
        :func:`assets_url`. Done on every call, also when the server already runs (the
        files are served live), so a running Browser picks up changed queries.
    timeout : float
        Seconds to wait for the server to answer.

    Returns
    -------
    dict
        :func:`status` of the running server.

    Raises
    ------
    ServerError
        If the server exits, does not answer in time, or rejects the password.
    """
    home = _home(home)
    with _locked(home):
        _install(home)
        password = _password(home)
        if len(password) < MIN_PASSWORD_LENGTH:
            raise ServerError(
                f"NEO4J_PASSWORD must have at least {MIN_PASSWORD_LENGTH} characters."
            )
        if browser_assets:
            generated = _write_browser_assets(home)
            if post_connect_cmd is None:
                post_connect_cmd = generated
        settings = _settings(
            home, post_connect_cmd, remote_content_hostname_allowlist, extra_config
        )
        config = _render_config(settings)
        conf_path = home / "conf" / "neo4j.conf"

        pid = _running_pid(home)
        if pid is not None:
            if conf_path.is_file() and conf_path.read_text() != config:
                _say("already running; the requested configuration differs, restart to apply it")
            _wait_ready(home, pid, password, timeout)
            return status(home)

        _pid_file(home).unlink(missing_ok=True)
        for port in (BOLT_PORT, HTTP_PORT):
            if _port_open(port):
                raise ServerError(
                    f"port {HOST}:{port} is already in use by another process "
                    "(not this project's server); stop it first."
                )
        conf_path.write_text(config)
        if not (home / "data" / "databases" / "system").exists():
            _say("first start: setting the initial password of user 'neo4j'")
            _set_initial_password(home, password)

        log = _console_log(home)
        cmd = _java_command(home, settings)
        with open(log, "a", encoding="utf-8") as out:
            out.write(f"\n{_START_BANNER} {time.strftime('%Y-%m-%d %H:%M:%S')}\n")
        # A new session (own process group, no controlling terminal): Ctrl-C in the
        # calling shell and the end of this Python process leave the server running.
        launched = subprocess.run(
            ["/bin/sh", "-c", _LAUNCHER, "sh", str(log), *cmd],
            cwd=home,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            start_new_session=True,
            check=False,
        )
        try:
            pid = int(launched.stdout.strip())
        except ValueError as exc:
            raise ServerError(f"could not launch java: {launched.stderr.strip()}") from exc
        _pid_file(home).write_text(f"{pid}\n")
        _say(f"started Neo4j {NEO4J_VERSION} (pid {pid}); waiting for Bolt on {BOLT_URI}")
        began = time.monotonic()
        try:
            _wait_ready(home, pid, password, timeout)
        except BaseException:
            _stop(home, timeout=30)
            raise
        _say(f"ready after {time.monotonic() - began:.1f} s; Browser at {BROWSER_URL}")
        return status(home)


def _wait_ready(home: Path, pid: int, password: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    tried_default = False
    last_error = "no answer yet"
    while True:
        if not _alive(pid):
            raise ServerError(
                f"Neo4j (pid {pid}) exited during start-up. Last lines of "
                f"{_console_log(home)}:\n{_tail(_console_log(home))}"
            )
        try:
            if _query("RETURN 1", password) == 1:
                return
            last_error = "RETURN 1 gave an unexpected answer"
        except _AuthFailed as exc:
            if tried_default:
                raise ServerError(_password_mismatch(home)) from exc
            tried_default = True
            # The database was created before the initial password could be set (or it was
            # set to something else): try the factory default once and replace it.
            try:
                _change_default_password(password)
                _say("replaced the default password of user 'neo4j'")
            except _AuthFailed as inner:
                raise ServerError(_password_mismatch(home)) from inner
            except Exception as inner:  # not ready for the change yet: retry later
                tried_default = False
                last_error = f"{type(inner).__name__}: {inner}"
        except Exception as exc:  # not up yet (connection refused, database starting, ...)
            last_error = f"{type(exc).__name__}: {exc}"
        if time.monotonic() > deadline:
            raise ServerError(
                f"Neo4j (pid {pid}) did not answer on {BOLT_URI} within {timeout:.0f} s "
                f"({last_error}). Last lines of {_console_log(home)}:\n"
                f"{_tail(_console_log(home))}"
            )
        time.sleep(0.5)


def _password_mismatch(home: Path) -> str:
    source = "NEO4J_PASSWORD" if os.environ.get("NEO4J_PASSWORD") else _password_file(home)
    return (
        f"Neo4j rejects the password from {source} for user 'neo4j'. The database in "
        f"{home / 'data'} was set up with another password: use that one, or stop the "
        f"server and delete {home / 'data'} (this deletes the graph) to start afresh."
    )


def stop(home: Path | None = None, timeout: float = 60.0) -> bool:
    """Stop the server: SIGTERM, wait up to ``timeout`` seconds, then SIGKILL.

    Every java process running ``CommunityEntryPoint`` with this home directory is
    stopped, whether or not the pid file names it; the pid file is removed.

    Parameters
    ----------
    home : Path, optional
        Server home directory; defaults to :func:`default_home`.
    timeout : float
        Seconds to wait after SIGTERM before sending SIGKILL.

    Returns
    -------
    bool
        True if a server was running and has been stopped, False if none was running.

    Raises
    ------
    ServerError
        If a process survives SIGKILL.
    """
    home = _home(home)
    with _locked(home):
        return _stop(home, timeout)


def _signal(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def _stop(home: Path, timeout: float) -> bool:
    pids = _our_pids(home)
    for pid in pids:
        _say(f"stopping Neo4j (pid {pid})")
        _signal(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    for pid in pids:
        if _alive(pid):
            _say(f"pid {pid} ignored SIGTERM for {timeout:.0f} s; sending SIGKILL")
            _signal(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    survivors = [pid for pid in pids if _alive(pid)]
    if survivors:
        raise ServerError(f"could not stop Neo4j process(es) {survivors}")
    _pid_file(home).unlink(missing_ok=True)
    return bool(pids)


def import_full(
    nodes: Sequence[Path],
    relationships: Sequence[Path],
    home: Path | None = None,
    *,
    multiline: bool = False,
    report_file: Path | None = None,
    timeout: float = 120.0,
) -> float:
    """Replace the ``neo4j`` database with CSV files: stop, ``neo4j-admin database import
    full``, start again.

    Whatever the database held is gone afterwards (``--overwrite-destination``): the caller
    checks that it is empty first (:func:`graphmodel.neo4j_bulk.bulk_load` does). The
    server is started again whether the import succeeds or not, and only then is an
    import failure raised.

    Parameters
    ----------
    nodes, relationships : sequence of Path
        Node and relationship CSV files, each with its own typed header.
    home : Path, optional
        Server home directory; defaults to :func:`default_home`.
    multiline : bool
        Some quoted value spans several lines (slower import).
    report_file : Path, optional
        Where neo4j-admin writes its report of bad entries (default: beside the first file).
    timeout : float
        Seconds to wait for the server to answer after the import.

    Returns
    -------
    float
        Seconds neo4j-admin ran (the import alone, without the stop and restart).

    Raises
    ------
    ServerError
        If the server is not installed, the import fails, or the server does not restart.
    """
    home = _home(home)
    if not is_installed(home):
        raise ServerError(f"the local Neo4j server is not installed in {home}")
    report = report_file or Path(nodes[0]).parent / "import.report"
    cmd = [_java(), "-Xmx1g", "-cp", str(home / "lib" / "*"), ADMIN_CLASS,
           # the database first: --nodes and --relationships take any number of files
           "database", "import", "full", DEFAULT_DATABASE, "--overwrite-destination=true",
           f"--report-file={report}"]
    if multiline:
        cmd.append("--multiline-fields=true")
    cmd += [f"--nodes={path}" for path in nodes]
    cmd += [f"--relationships={path}" for path in relationships]
    env = dict(os.environ, NEO4J_HOME=str(home), NEO4J_CONF=str(home / "conf"))
    stop(home)
    try:
        began = time.monotonic()
        with _locked(home):
            result = subprocess.run(cmd, env=env, cwd=home, capture_output=True, text=True,
                                    check=False)
        seconds = time.monotonic() - began
    finally:
        start(home, timeout=timeout)
    if result.returncode != 0:
        lines = [line.strip() for line in (result.stdout + result.stderr).splitlines()
                 if line.strip() and not line.strip().startswith("at ")]
        raise ServerError("neo4j-admin database import failed: " + " | ".join(lines[-6:]))
    return seconds


def status(home: Path | None = None) -> dict[str, Any]:
    """Describe the server.

    Parameters
    ----------
    home : Path, optional
        Server home directory; defaults to :func:`default_home`.

    Returns
    -------
    dict
        ``running`` (bool), ``pid`` (int or None), ``bolt_uri``, ``http_url``,
        ``browser_url``, ``style_url`` and ``guide_url`` (graphmodel's Browser style and
        guide, for ``:style`` and ``:play``), ``version`` (reported by the running server, else the pinned
        one), ``browser_version``, ``installed`` (bool), ``home`` and ``log``.
    """
    home = _home(home)
    pid = _running_pid(home)
    version = _http_version() if pid is not None else None
    return {
        "running": pid is not None,
        "pid": pid,
        "bolt_uri": BOLT_URI,
        "http_url": HTTP_URL,
        "browser_url": BROWSER_URL,
        "style_url": assets_url("style.grass"),
        "guide_url": assets_url("guide.html"),
        "version": version or NEO4J_VERSION,
        "browser_version": BROWSER_VERSION,
        "installed": is_installed(home),
        "home": str(home),
        "log": str(_console_log(home)),
    }
