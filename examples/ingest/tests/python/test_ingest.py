"""The intake service as its clients see it: TLS, mutual TLS, headers, a real
scanner's verdicts, and the internal pipeline (examples/ingest/pipeline/
fetch_day.py) end to end.

The service runs as a process (``ENSEAL_INGEST_BIN``, dev mode, ports 0) and
the pipeline as a process; enseal is the installed wheel. With
``ENSEAL_INGEST_TEST_POSTGRES`` (a PostgreSQL URL whose user may create
databases) the service stores into a fresh database made for this module;
without it, into SQLite in the dev directory.

Probes that must fail against the service (TLS 1.2, weak suites) are first
shown to succeed against ``openssl s_server`` configured to allow them, so a
probe that could never succeed does not pass for a refusal.
"""

from __future__ import annotations

import http.client
import json
import os
import queue
import re
import socket
import sqlite3
import ssl
import stat
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest

import enseal

REPO = Path(__file__).resolve().parents[4]
FETCH_DAY = REPO / "examples" / "ingest" / "pipeline" / "fetch_day.py"
REPORTS = REPO / "target" / "ingest"
HSTS = "max-age=63072000; includeSubDomains"
AEAD_SUITES = {"TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256"}
SEALED = ["/patient/ssn", "/patient/diagnosis"]
CONTEXT = enseal.ContextTemplate.parse("intake/{recordId}{pointer}")
START_TIMEOUT = 60.0

Addr = Tuple[str, int]


def binary() -> str:
    path = os.environ.get("ENSEAL_INGEST_BIN")
    if not path or not os.access(path, os.X_OK):
        pytest.fail("set ENSEAL_INGEST_BIN to the enseal-ingest binary (cargo build -p enseal-ingest)")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def read_line(stream: Any, timeout: float) -> str:
    """The first line of ``stream``, or '' after ``timeout`` seconds."""
    lines: "queue.Queue[str]" = queue.Queue()
    threading.Thread(target=lambda: lines.put(stream.readline().decode("utf-8", "replace")), daemon=True).start()
    try:
        return lines.get(timeout=timeout)
    except queue.Empty:
        return ""


@dataclass
class Pki:
    ca: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path

    @staticmethod
    def at(directory: Path) -> "Pki":
        return Pki(*(directory / n for n in ("ca.pem", "server.pem", "server.key", "client.pem", "client.key")))


@dataclass
class Service:
    process: "subprocess.Popen[bytes]"
    intake: Addr
    records: Addr
    dev: Path
    pki: Pki
    stderr: Path
    #: The PostgreSQL URL, or None: SQLite at dev/ingest.db.
    database: Optional[str]

    @property
    def records_url(self) -> str:
        return f"https://{self.records[0]}:{self.records[1]}"

    def log(self) -> str:
        return self.stderr.read_text(encoding="utf-8", errors="replace")


def parse_addr(text: str) -> Addr:
    host, port = text.rsplit(":", 1)
    return host, int(port)


# ---------------------------------------------------------------- fixtures


def psql(url: str, statement: str) -> None:
    subprocess.run(
        ["psql", url, "-q", "-v", "ON_ERROR_STOP=1", "-c", statement], check=True, capture_output=True, timeout=60
    )


@pytest.fixture(scope="module")
def database() -> Iterator[Optional[str]]:
    """A fresh PostgreSQL database for this module, or None (SQLite)."""
    base = os.environ.get("ENSEAL_INGEST_TEST_POSTGRES")
    if not base:
        yield None
        return
    name = f"ingest_py_{uuid.uuid4().hex[:12]}"
    psql(base, f"CREATE DATABASE {name}")
    try:
        yield urllib.parse.urlsplit(base)._replace(path=f"/{name}").geturl()
    finally:
        psql(base, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory, database: Optional[str]) -> Iterator[Service]:
    root = tmp_path_factory.mktemp("ingest")
    dev = root / "dev"
    stderr_path = root / "service.stderr"
    # Records show at once (no settle time): each test fetches only after its
    # posts were acknowledged, so every row it reads has committed.
    command = [
        binary(), "--listen", "127.0.0.1:0", "--internal-listen", "127.0.0.1:0", "--dev-dir", str(dev),
        "--records-settle", "0",
    ]
    if database:
        command += ["--database", database]
    # The most verbose level: a field value in any log line fails the tests.
    env = dict(os.environ, ENSEAL_INGEST_LOG="debug")
    with open(stderr_path, "wb") as stderr:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr, env=env)
    try:
        assert process.stdout is not None
        line = read_line(process.stdout, START_TIMEOUT).strip()
        match = re.fullmatch(r"enseal-ingest: listening intake=https://(\S+) records=https://(\S+)", line.strip())
        if not match:
            process.kill()
            process.wait()
            pytest.fail(f"the service did not start: stdout {line!r}, stderr:\n{stderr_path.read_text()}")
        backend = "Postgres" if database else "Sqlite"
        assert f"serving database={backend}" in stderr_path.read_text(), f"the service is not on {backend}"
        yield Service(
            process, parse_addr(match[1]), parse_addr(match[2]), dev, Pki.at(dev / "pki"), stderr_path, database
        )
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def other_pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    """Another throw-away CA with its own client certificate."""
    directory = tmp_path_factory.mktemp("other-pki")
    subprocess.run([binary(), "pki", str(directory)], check=True, capture_output=True, timeout=60)
    return Pki.at(directory)


@dataclass
class Permissive:
    addr: Addr
    #: Its certificate, self-signed: the CA to verify it with.
    pki: Pki


@pytest.fixture(scope="module")
def permissive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Permissive]:
    """``openssl s_server`` allowing TLS 1.2, AES128-SHA and
    TLS_AES_128_CCM_8_SHA256: what the probes must be able to reach. Its
    certificate is RSA (AES128-SHA is RSA key transport), made here."""
    directory = tmp_path_factory.mktemp("permissive")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    port = free_port()
    process = subprocess.Popen(
        [
            "openssl",
            "s_server",
            "-accept",
            f"127.0.0.1:{port}",
            "-naccept",
            "1000",
            "-cert",
            str(cert),
            "-key",
            str(key),
            "-cipher",
            "AES128-SHA:ECDHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0",
            "-ciphersuites",
            "TLS_AES_128_CCM_8_SHA256:TLS_AES_128_GCM_SHA256",
            "-quiet",
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail("openssl s_server did not start")
                time.sleep(0.1)
        yield Permissive(("127.0.0.1", port), Pki(cert, cert, key, cert, key))
    finally:
        process.terminate()
        process.wait(timeout=10)


# ---------------------------------------------------------------- helpers


def context(pki: Pki, client: Optional[Pki] = None, *, version: Optional[ssl.TLSVersion] = None) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(cafile=str(pki.ca))
    if version is not None:
        ctx.minimum_version = ctx.maximum_version = version
    if client is not None:
        ctx.load_cert_chain(str(client.client_cert), str(client.client_key))
    return ctx


def handshake(addr: Addr, ctx: ssl.SSLContext) -> str:
    """The TLS version negotiated (raises ssl.SSLError when refused)."""
    with socket.create_connection(addr, timeout=10) as raw, ctx.wrap_socket(raw, server_hostname="localhost") as tls:
        return str(tls.version())


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def request(
    addr: Addr,
    ctx: ssl.SSLContext,
    method: str,
    path: str,
    body: Optional[bytes] = None,
    content_type: str = "application/json",
) -> Answer:
    connection = http.client.HTTPSConnection(addr[0], addr[1], context=ctx, timeout=15)
    try:
        headers = {"content-type": content_type} if body is not None else {}
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return Answer(response.status, response.headers, response.read())
    finally:
        connection.close()


def s_client(addr: Addr, pki: Pki, *args: str, client: Optional[Pki] = None) -> subprocess.CompletedProcess[str]:
    command = [
        "openssl",
        "s_client",
        "-connect",
        f"{addr[0]}:{addr[1]}",
        "-servername",
        "localhost",
        "-CAfile",
        str(pki.ca),
        *args,
    ]
    if client is not None:
        command += ["-cert", str(client.client_cert), "-key", str(client.client_key)]
    return subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30)


def today() -> str:
    return time.strftime("%Y-%m-%d", time.gmtime())


def listeners(service: Service) -> List[Tuple[str, Addr, Optional[Pki]]]:
    """Both listeners, each with the client certificate it needs."""
    return [("intake", service.intake, None), ("records", service.records, service.pki)]


# ---------------------------------------------------------------- TLS


def test_tls12_is_refused_on_both_listeners(service: Service, permissive: Permissive) -> None:
    tls12 = context(permissive.pki, version=ssl.TLSVersion.TLSv1_2)
    assert handshake(permissive.addr, tls12) == "TLSv1.2", "the probe must be able to speak TLS 1.2"
    for name, addr, client in listeners(service):
        with pytest.raises(ssl.SSLError) as refused:
            handshake(addr, context(service.pki, client, version=ssl.TLSVersion.TLSv1_2))
        assert "PROTOCOL_VERSION" in str(refused.value).upper(), f"{name}: {refused.value}"
        assert handshake(addr, context(service.pki, client, version=ssl.TLSVersion.TLSv1_3)) == "TLSv1.3", name


@pytest.mark.parametrize(
    "args",
    [("-tls1_2", "-cipher", "AES128-SHA:@SECLEVEL=0"), ("-tls1_3", "-ciphersuites", "TLS_AES_128_CCM_8_SHA256")],
    ids=["tls1.2-AES128-SHA", "tls1.3-AES_128_CCM_8"],
)
def test_weak_suites_are_refused(service: Service, permissive: Permissive, args: Tuple[str, ...]) -> None:
    control = s_client(permissive.addr, permissive.pki, *args)
    assert control.returncode == 0 and "Cipher is (NONE)" not in control.stdout, "the probe must offer the suite"
    for name, addr, client in listeners(service):
        probe = s_client(addr, service.pki, *args, client=client)
        assert probe.returncode != 0, f"{name} accepted {args}"
        assert "Cipher is (NONE)" in probe.stdout, name
        # The server's alert, not a local failure to offer the suite.
        assert "alert" in probe.stderr, f"{name}: {probe.stderr}"


@pytest.mark.parametrize("suite", sorted(AEAD_SUITES))
def test_each_tls13_aead_suite_is_accepted(service: Service, suite: str) -> None:
    for name, addr, client in listeners(service):
        probe = s_client(addr, service.pki, "-tls1_3", "-ciphersuites", suite, client=client)
        assert probe.returncode == 0, f"{name}: {probe.stderr}"
        assert f"TLSv1.3, Cipher is {suite}" in probe.stdout, name


def test_session_resumption(service: Service) -> None:
    for name, addr, client in listeners(service):
        ctx = context(service.pki, client)
        sessions: List[ssl.SSLSession] = []
        for previous in (None, "first"):
            with socket.create_connection(addr, timeout=10) as raw, ctx.wrap_socket(
                raw, server_hostname="localhost", session=sessions[-1] if previous else None
            ) as tls:
                # TLS 1.3 tickets come after the handshake: read an answer first.
                tls.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                answer = b""
                while chunk := tls.recv(4096):
                    answer += chunk
                assert answer.startswith(b"HTTP/1.1 200"), name
                assert tls.session_reused is bool(
                    previous
                ), f"{name}: session_reused {tls.session_reused} on connection {previous or 'one'}"
                assert tls.session is not None, name
                sessions.append(tls.session)


# ---------------------------------------------------------------- mutual TLS


def records_path(day: Optional[str] = None) -> str:
    return f"/records?day={day or today()}&limit=5"


def test_records_without_client_certificate_get_no_http(service: Service) -> None:
    with pytest.raises(ssl.SSLError) as refused:
        request(service.records, context(service.pki), "GET", records_path())
    assert "CERTIFICATE_REQUIRED" in str(refused.value).upper()


def test_records_with_another_cas_certificate_get_no_http(service: Service, other_pki: Pki) -> None:
    with pytest.raises(ssl.SSLError) as refused:
        request(service.records, context(service.pki, other_pki), "GET", records_path())
    # The server's alert (rustls: the chain's signature does not verify).
    assert "ALERT" in str(refused.value).upper()


def test_records_with_the_pipelines_certificate(service: Service) -> None:
    answer = request(service.records, context(service.pki, service.pki), "GET", records_path())
    assert answer.status == 200
    assert isinstance(answer.json()["records"], list)


# ---------------------------------------------------------------- HSTS


def sealer(service: Service) -> enseal.Sealer:
    verified = enseal.Keyset.from_signed(
        (service.dev / "keyset.jws").read_text(),
        enseal.SignerPins.from_jwks((service.dev / "signers.json").read_text()),
    )
    return enseal.Sealer.from_keyset(verified.keyset)


def test_hsts_on_every_response(service: Service) -> None:
    public = context(service.pki)
    internal = context(service.pki, service.pki)
    record_id = str(uuid.uuid4())
    sealed = sealer(service).seal_record(
        {"recordId": record_id, "patient": {"ssn": "000-00-0000", "diagnosis": "none"}}, SEALED, CONTEXT, pad_to=64
    )["patient"]
    clear_ssn = json.dumps(
        {
            "recordId": record_id,
            "patient": {"name": "A", "dob": "1970-01-01", "ssn": "000-00-0000", "diagnosis": sealed["diagnosis"]},
        }
    )
    oversized = json.dumps({"recordId": "x", "patient": {"name": "x" * 20_000}})
    cases = [
        ("page", service.intake, public, "GET", "/", None, 200),
        ("unknown path", service.intake, public, "GET", "/nothing-here", None, 404),
        ("clear SSN", service.intake, public, "POST", "/intake", clear_ssn.encode(), 422),
        ("oversized body", service.intake, public, "POST", "/intake", oversized.encode(), 413),
        ("malformed JSON", service.intake, public, "POST", "/intake", b'{"recordId": ', 400),
        ("records", service.records, internal, "GET", records_path(), None, 200),
        ("internal unknown path", service.records, internal, "GET", "/nothing-here", None, 404),
    ]
    for name, addr, ctx, method, path, body, status in cases:
        answer = request(addr, ctx, method, path, body)
        assert answer.status == status, f"{name}: {answer.status} {answer.body[:200]!r}"
        assert answer.headers.get_all("strict-transport-security") == [HSTS], name
    refusal = request(service.intake, public, "POST", "/intake", clear_ssn.encode()).json()["error"]
    assert (refusal["code"], refusal["field"]) == ("BAD_PREFIX", "/patient/ssn")
    assert "000-00-0000" not in service.log(), "a refused clear SSN is not logged"


# ---------------------------------------------------------------- sslyze

SSLYZE_PLUGINS = [
    "--certinfo",
    "--sslv2",
    "--sslv3",
    "--tlsv1",
    "--tlsv1_1",
    "--tlsv1_2",
    "--tlsv1_3",
    "--heartbleed",
    "--robot",
    "--openssl_ccs",
    "--reneg",
    "--compression",
    "--fallback",
    "--http_headers",
]


def sslyze(service: Service, addr: Addr, out: Path, plugins: List[str], client: Optional[Pki]) -> Dict[str, Any]:
    """Runs the sslyze CLI (the venv's) against ``addr``; its JSON's one server result."""
    out.parent.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable,
        "-m",
        "sslyze",
        "--quiet",
        f"--json_out={out}",
        "--sni",
        "localhost",
        "--mozilla_config=disable",
    ]
    if client is not None:
        command += ["--cert", str(client.client_cert), "--key", str(client.client_key)]
    command += plugins
    if "--certinfo" in plugins:
        command += ["--certinfo_ca_file", str(service.pki.ca)]
    command.append(f"localhost:{addr[1]}{{{addr[0]}}}")
    started = time.monotonic()
    scan = subprocess.run(command, capture_output=True, text=True, timeout=180)
    assert scan.returncode == 0, scan.stderr
    print(f"sslyze {out.name}: {time.monotonic() - started:.1f} s")
    results = json.loads(out.read_text())["server_scan_results"]
    assert len(results) == 1
    result: Dict[str, Any] = results[0]
    assert result["scan_status"] == "COMPLETED", result.get("connectivity_error_trace")
    return result


@pytest.fixture(scope="module")
def scans(service: Service) -> Dict[str, Dict[str, Any]]:
    return {
        "intake": sslyze(service, service.intake, REPORTS / "sslyze-intake.json", SSLYZE_PLUGINS, None),
        "records": sslyze(service, service.records, REPORTS / "sslyze-records.json", SSLYZE_PLUGINS, service.pki),
    }


def plugin(result: Dict[str, Any], name: str) -> Dict[str, Any]:
    attempt = result["scan_result"][name]
    assert attempt["status"] == "COMPLETED", f"{name}: {attempt.get('error_reason')} {attempt.get('error_trace')}"
    return attempt["result"]  # type: ignore[no-any-return]


def accepted(result: Dict[str, Any], name: str) -> List[str]:
    return [c["cipher_suite"]["name"] for c in plugin(result, name)["accepted_cipher_suites"]]


@pytest.mark.parametrize("listener", ["intake", "records"])
def test_sslyze_protocols_and_suites(scans: Dict[str, Dict[str, Any]], listener: str) -> None:
    result = scans[listener]
    for old in ["ssl_2_0", "ssl_3_0", "tls_1_0", "tls_1_1", "tls_1_2"]:
        assert plugin(result, f"{old}_cipher_suites")["is_tls_version_supported"] is False, old
        assert accepted(result, f"{old}_cipher_suites") == [], old
    assert plugin(result, "tls_1_3_cipher_suites")["is_tls_version_supported"] is True
    assert set(accepted(result, "tls_1_3_cipher_suites")) <= AEAD_SUITES
    assert set(accepted(result, "tls_1_3_cipher_suites")) == AEAD_SUITES, "each AEAD suite works (see the openssl test)"


@pytest.mark.parametrize("listener", ["intake", "records"])
def test_sslyze_flags_no_vulnerability(scans: Dict[str, Dict[str, Any]], listener: str) -> None:
    result = scans[listener]
    assert plugin(result, "heartbleed")["is_vulnerable_to_heartbleed"] is False
    assert plugin(result, "robot")["robot_result"].startswith("NOT_VULNERABLE")
    assert plugin(result, "openssl_ccs_injection")["is_vulnerable_to_ccs_injection"] is False
    reneg = plugin(result, "session_renegotiation")
    assert reneg["is_vulnerable_to_client_renegotiation_dos"] is False
    assert reneg["supports_secure_renegotiation"] is True
    assert plugin(result, "tls_compression")["supports_compression"] is False
    assert plugin(result, "tls_fallback_scsv")["supports_fallback_scsv"] is True
    hsts = plugin(result, "http_headers")["strict_transport_security_header"]
    assert hsts is not None and hsts["max_age"] == 63072000 and hsts["include_subdomains"] is True


@pytest.mark.parametrize("listener", ["intake", "records"])
def test_sslyze_reads_the_certificate(scans: Dict[str, Dict[str, Any]], listener: str) -> None:
    deployments = plugin(scans[listener], "certificate_info")["certificate_deployments"]
    assert len(deployments) == 1
    chain = deployments[0]["received_certificate_chain"]
    assert chain[0]["subject"]["rfc4514_string"] == "CN=localhost"
    names = chain[0]["subject_alternative_name"]
    assert "localhost" in names["dns_names"] and "127.0.0.1" in names["ip_addresses"]
    assert deployments[0]["received_chain_has_valid_order"] is True


def test_sslyze_validates_the_chain_against_the_ca(scans: Dict[str, Dict[str, Any]]) -> None:
    deployment = plugin(scans["intake"], "certificate_info")["certificate_deployments"][0]
    supplied = [p for p in deployment["path_validation_results"] if p["trust_store"]["name"] == "Supplied CA file"]
    assert supplied and supplied[0]["was_validation_successful"] is True, supplied[0]["validation_error"]


def test_sslyze_sees_client_certificates_required(service: Service) -> None:
    result = sslyze(service, service.records, REPORTS / "sslyze-records-no-client-cert.json", ["--tlsv1_3"], None)
    assert result["connectivity_result"]["client_auth_requirement"] == "REQUIRED"


# ---------------------------------------------------------------- the pipeline


def patient(i: int) -> Dict[str, str]:
    """Values that occur nowhere else, so a log line carrying one is found."""
    tag = uuid.uuid4().hex[:10]
    return {
        "name": f"Patient {tag}",
        "dob": f"19{40 + i:02d}-0{1 + i % 9}-1{i % 10}",
        "ssn": f"{100 + i:03d}-{i:02d}-{tag[:6]}",
        "diagnosis": f"diagnosis-{tag}: condition {i}",
    }


@pytest.fixture(scope="module")
def intakes(service: Service) -> Tuple[str, Dict[str, Dict[str, str]]]:
    """25 intakes sealed and posted as the form does; (their day, recordId → clear patient)."""
    # The service files a record under the UTC day it arrives: keep all 25 on one.
    to_midnight = 86400 - time.time() % 86400
    if to_midnight < 60:
        time.sleep(to_midnight + 1)
    day = today()
    seal = sealer(service)
    public = context(service.pki)
    posted: Dict[str, Dict[str, str]] = {}
    for i in range(25):
        record_id = str(uuid.uuid4())
        clear = patient(i)
        body = seal.seal_record({"recordId": record_id, "patient": clear}, SEALED, CONTEXT, pad_to=64)
        answer = request(service.intake, public, "POST", "/intake", json.dumps(body).encode())
        assert answer.status == 201, answer.body
        posted[record_id] = clear
    assert today() == day, "posting took over a minute"
    return day, posted


def stored_rows(service: Service) -> List[Tuple[str, str, str]]:
    """(record_id, ssn, diagnosis) of every row, read from the database itself."""
    query = "SELECT record_id, ssn, diagnosis FROM intakes ORDER BY id"
    if service.database:
        out = subprocess.run(
            ["psql", service.database, "-AtF", "\t", "-c", query],
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        )
        return [tuple(line.split("\t")) for line in out.stdout.splitlines()]  # type: ignore[misc]
    connection = sqlite3.connect(f"file:{service.dev / 'ingest.db'}?mode=ro", uri=True)
    try:
        return [tuple(row) for row in connection.execute(query)]
    finally:
        connection.close()


def test_the_store_holds_the_protected_fields_sealed(
    service: Service, intakes: Tuple[str, Dict[str, Dict[str, str]]]
) -> None:
    _day, posted = intakes
    rows = stored_rows(service)
    assert sorted(r[0] for r in rows) == sorted(posted), "exactly the posted records, once each"
    for record_id, ssn, diagnosis in rows:
        clear = posted[record_id]
        for value, name in [(ssn, "ssn"), (diagnosis, "diagnosis")]:
            assert enseal.is_sealed(value) and clear[name] not in value, f"{record_id} {name}"


def fetch_day(
    service: Service,
    tmp: Path,
    *,
    keys: Optional[Path] = None,
    client: Optional[Pki] = None,
    day: Optional[str] = None,
    out: bool = True,
    page_size: int = 10,
) -> Tuple[subprocess.CompletedProcess[str], Path, Path]:
    client = client or service.pki
    audit = tmp / "audit.jsonl"
    output = tmp / "out" / "day.jsonl"
    output.parent.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable,
        str(FETCH_DAY),
        "--url",
        service.records_url,
        "--ca",
        str(service.pki.ca),
        "--cert",
        str(client.client_cert),
        "--key",
        str(client.client_key),
        "--keys",
        str(keys or service.dev / "private-keyring.json"),
        "--day",
        day or today(),
        "--audit",
        str(audit),
        "--actor",
        "nightly-export",
        "--page-size",
        str(page_size),
    ]
    if out:
        command += ["--out", str(output)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120), audit, output


def test_pipeline_opens_every_record_and_audits_each_field(
    service: Service, intakes: Tuple[str, Dict[str, Dict[str, str]]], tmp_path: Path
) -> None:
    day, posted = intakes
    run, audit, output = fetch_day(service, tmp_path, day=day)
    assert run.returncode == 0, run.stderr
    assert stat.S_IMODE(output.stat().st_mode) == 0o600
    assert sorted(p.name for p in output.parent.iterdir()) == ["day.jsonl"], "no temporary file left"
    lines = [json.loads(line) for line in output.read_text().splitlines()]
    assert len(lines) == len(posted) == 25, "every page fetched (25 records, pages of 10)"
    kid = enseal.Keyring.from_jwks((service.dev / "private-keyring.json").read_text()).kids
    for line in lines:
        assert set(line) == {"id", "recordId", "receivedAt", "kid", "patient"}
        assert line["patient"] == posted[line["recordId"]], line["recordId"]
        assert line["kid"] in kid
        assert time.strftime("%Y-%m-%d", time.gmtime(line["receivedAt"])) == day
    assert [line["id"] for line in lines] == sorted({line["id"] for line in lines}), "ids increase, none twice"

    report = enseal.verify_audit_log(str(audit))
    assert report.intact and report.problem is None
    assert report.failures == 0
    events = [json.loads(line) for line in audit.read_text().splitlines()]
    opens = [e for e in events if e["op"] == "open"]
    assert len(opens) == 2 * len(posted), "one event per opened field"
    assert all(e["actor"] == "nightly-export" and e["outcome"] == "ok" for e in events)
    assert report.per_actor == {"nightly-export": len(events)}
    # Each event names its record and field: the context the form bound.
    contexts = sorted(e["context"] for e in opens)
    assert contexts == sorted(f"intake/{r}{p}" for r in posted for p in SEALED)

    clear_values = [v for p in posted.values() for v in p.values()]
    for where, text in [
        ("the service's log", service.log()),
        ("the pipeline's stderr", run.stderr),
        ("the audit log", audit.read_text()),
    ]:
        leaked = [v for v in clear_values if v in text]
        assert not leaked, f"{where} holds {len(leaked)} clear values"
    assert run.stdout == ""


def test_pipeline_to_stdout_pages_of_one(
    service: Service, intakes: Tuple[str, Dict[str, Dict[str, str]]], tmp_path: Path
) -> None:
    day, posted = intakes
    run, _audit, output = fetch_day(service, tmp_path, day=day, out=False, page_size=1)
    assert run.returncode == 0, run.stderr
    assert not output.exists()
    assert {json.loads(line)["recordId"]: json.loads(line)["patient"] for line in run.stdout.splitlines()} == posted


def test_pipeline_with_another_keyring_fails_naming_unknown_key(
    service: Service, intakes: Tuple[str, Dict[str, Dict[str, str]]], tmp_path: Path
) -> None:
    day, posted = intakes
    ring = enseal.Keyring()
    ring.add(enseal.KeyPair.generate())
    wrong = tmp_path / "other-keyring.json"
    wrong.write_text(ring.to_jwks())
    run, audit, output = fetch_day(service, tmp_path, keys=wrong, day=day)
    assert run.returncode != 0
    assert "UNKNOWN_KEY" in run.stderr
    assert list(output.parent.iterdir()) == [], "no output file, no temporary file"
    assert run.stdout == ""
    assert not [v for p in posted.values() for v in p.values() if v in run.stderr]
    report = enseal.verify_audit_log(str(audit))
    assert report.intact and report.failures >= 1
    refused = [json.loads(line) for line in audit.read_text().splitlines()]
    assert {(e["op"], e["code"]) for e in refused} == {("decapsulate", "UNKNOWN_KEY"), ("open", "UNKNOWN_KEY")}
    assert all(e["actor"] == "nightly-export" for e in refused), "the refused open is audited, with who tried"


def test_pipeline_with_another_cas_certificate_fails_clearly(
    service: Service, other_pki: Pki, intakes: Tuple[str, Dict[str, Dict[str, str]]], tmp_path: Path
) -> None:
    day, _posted = intakes
    previous = tmp_path / "out" / "day.jsonl"
    previous.parent.mkdir(parents=True)
    previous.write_text("yesterday's export\n")
    run, _audit, output = fetch_day(service, tmp_path, client=other_pki, day=day)
    assert run.returncode != 0
    assert "refused the TLS connection" in run.stderr and "--cert" in run.stderr, run.stderr
    assert "Traceback" not in run.stderr
    assert list(output.parent.iterdir()) == [output], "no temporary file left"
    assert output.read_text() == "yesterday's export\n", "an existing --out is only replaced whole"
    assert run.stdout == ""
