#!/usr/bin/env python3
"""Fetch one day's intakes from enseal-ingest's records listener and open them.

The internal pipeline of examples/ingest: it connects to the records listener
over mutual TLS (TLS 1.3 only, the service's CA pinned, this pipeline's own
client certificate), pages through ``GET /records?day=&after=&until=&limit=`` until
a page comes back short, and opens each record's sealed ``/patient/ssn`` and
``/patient/diagnosis`` with enseal. The browser form sealed them as a record
with the context template ``intake/{recordId}{pointer}``
(``sealRecord(body, ["/patient/ssn", "/patient/diagnosis"], template)``), so a
value copied into another record or field does not open.

Every open is written to a tamper-evident enseal audit log (``--audit``, with
``--actor`` as who opened); ``enseal.verify_audit_log`` checks it afterwards.

Keys (``--keys``), as enseal's Spark helper reads key locations:

- a private JWK set file (``PATH`` or ``file:PATH``), such as the dev
  directory's ``private-keyring.json``; in plaintext, so keep it 0600 or on
  a mounted secret;
- a key URI, resolved by ``enseal.Keyring.add_custody``: ``pkcs11:...``
  (an HSM; the module from ``module-path=`` or ``ENSEAL_PKCS11_MODULE``),
  ``wrapped:...`` or ``awskms:...``; the private key stays in the HSM or KMS;
- several of these, comma-separated, merged into one keyring (at most one
  file).

The test suite (examples/ingest/tests/python) runs the JWK set file; key URIs
go through the same enseal call the custody tests cover.

Output: one JSON object per line,
``{"id", "recordId", "receivedAt", "kid", "patient": {"name", "dob", "ssn",
"diagnosis"}}`` with ``ssn`` and ``diagnosis`` opened, to stdout or to
``--out``. The file is made with mode 0600 and written whole (a temporary
file beside it, renamed into place once every record opened): on any error
there is no output file (an existing one is left as it was) and nothing on
stdout. An existing ``--out`` is replaced only by a complete one.

Errors go to stderr naming what failed (the listener, a record by its id, a
key, a file) and never a field's value; the exit status is then 1 (2 for a
wrong command line).

Example (dev mode, see the service's startup line for the port)::

    python3 fetch_day.py --url https://127.0.0.1:8444 \\
        --ca enseal-ingest-dev/pki/ca.pem \\
        --cert enseal-ingest-dev/pki/client.pem --key enseal-ingest-dev/pki/client.key \\
        --keys enseal-ingest-dev/private-keyring.json \\
        --day 2026-12-01 --audit audit.jsonl --actor nightly-export --out day.jsonl
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import os
import socket
import ssl
import sys
import tempfile
import urllib.parse
from typing import Any, Callable, Dict, Iterator, List, NoReturn, Optional, Sequence, TextIO, Tuple

import enseal

#: The fields the form seals, as JSON Pointers into a stored record.
SEALED = ["/patient/ssn", "/patient/diagnosis"]
#: The context template the form seals them with (docs/FORMAT.md §7.1):
#: each value is bound to its submission's record id and its field.
CONTEXT = enseal.ContextTemplate.parse("intake/{recordId}{pointer}")
#: The key URI schemes enseal resolves to a key held elsewhere.
KEY_URI_SCHEMES = ("pkcs11:", "wrapped:", "awskms:")
#: The service's largest page.
MAX_PAGE = 1000
TIMEOUT_SECONDS = 30.0


class PipelineError(Exception):
    """A failure worth one line on stderr; its text never holds a field value."""


def fail(message: str) -> NoReturn:
    raise PipelineError(message)


def tls_context(ca: str, cert: str, key: str) -> ssl.SSLContext:
    """TLS 1.3 only, trusting only ``ca`` for the server, presenting ``cert``."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies the chain and the host name
    context.minimum_version = ssl.TLSVersion.TLSv1_3
    context.set_alpn_protocols(["http/1.1"])
    try:
        # No default trust store: the service's CA is pinned, nothing else is trusted.
        context.load_verify_locations(cafile=ca)
    except (OSError, ssl.SSLError) as e:
        fail(f"--ca {ca}: not a readable PEM CA certificate ({e})")
    try:
        context.load_cert_chain(certfile=cert, keyfile=key)
    except (OSError, ssl.SSLError) as e:
        fail(f"--cert {cert} / --key {key}: not a readable PEM certificate and matching key ({e})")
    return context


def load_keys(keys: str) -> enseal.Keyring:
    """The keyring of ``--keys`` (see the module's docstring)."""
    locations = [part.strip() for part in keys.split(",") if part.strip()]
    if not locations:
        fail("--keys is empty")
    files = [
        loc[len("file:") :] if loc.startswith("file:") else loc
        for loc in locations
        if not loc.startswith(KEY_URI_SCHEMES)
    ]
    if len(files) > 1:
        fail("--keys names more than one file: put the private keys in one JWK set")
    ring = enseal.Keyring()
    if files:
        try:
            with open(files[0], encoding="utf-8") as f:
                text = f.read()
        except OSError as e:
            fail(f"--keys {files[0]}: cannot read it ({e.strerror})")
        try:
            ring = enseal.Keyring.from_jwks(text)
        except enseal.EnsealError as e:
            fail(f"--keys {files[0]}: not a private JWK set: {e.name}: {e.detail}")
    for location in locations:
        if location.startswith(KEY_URI_SCHEMES):
            scheme = location.split(":", 1)[0]
            try:
                ring.add_custody(location)
            except enseal.EnsealError as e:
                # The URI may carry a PIN (pin-value=): only its scheme is named.
                fail(f"--keys {scheme}: key: {e.name}: {e.detail}")
    return ring


class Records:
    """One keep-alive HTTPS connection to the records listener."""

    def __init__(self, url: str, context: ssl.SSLContext) -> None:
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme != "https" or not parsed.hostname:
            fail(f"--url {url}: expected https://HOST:PORT")
        try:
            port = parsed.port or 443
        except ValueError:
            fail(f"--url {url}: the port is not a number")
        self.origin = f"{parsed.hostname}:{port}"
        self.base = parsed.path.rstrip("/")
        self.connection = http.client.HTTPSConnection(parsed.hostname, port, context=context, timeout=TIMEOUT_SECONDS)

    def close(self) -> None:
        self.connection.close()

    def page(
        self, day: str, after: Optional[str], until: Optional[int], limit: int
    ) -> Tuple[List[Dict[str, Any]], Any, Any]:
        """One page: its records, the ``next`` cursor and the ``until`` horizon."""
        params: Dict[str, Any] = {"day": day, "limit": limit}
        if after is not None:
            params["after"] = after
        if until is not None:
            params["until"] = until
        query = urllib.parse.urlencode(params)
        where = f"the records listener at {self.origin}"
        try:
            self.connection.request("GET", f"{self.base}/records?{query}", headers={"Accept": "application/json"})
            response = self.connection.getresponse()
            body = response.read()
        except ssl.SSLCertVerificationError as e:
            fail(f"{where}: its certificate does not verify under --ca: {e.verify_message}")
        except ssl.SSLError as e:
            # TLS 1.3 checks the client's certificate after the handshake: a
            # refusal arrives as an alert on the first read.
            reason = e.reason or str(e)
            hint = ""
            if "ALERT" in reason.upper():
                hint = (
                    " (the service refused this client: is --cert issued by the CA it trusts for clients, and valid?)"
                )
            fail(f"{where} refused the TLS connection: {reason}{hint}")
        except (ConnectionError, http.client.HTTPException, socket.timeout, OSError) as e:
            fail(f"{where}: no answer ({type(e).__name__}: {e})")
        if response.status != 200:
            fail(f"{where} answered {response.status} {describe_error(body)}")
        try:
            answer = json.loads(body)
            records, cursor, until = answer["records"], answer["next"], answer["until"]
            if not isinstance(records, list) or not isinstance(until, int):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            fail(f"{where}: the answer is not a page of records")
        return records, cursor, until


def describe_error(body: bytes) -> str:
    """The service's ``{"error": {"code", "message"}}``, or a note that there is none."""
    try:
        error = json.loads(body)["error"]
        return f"{error['code']}: {error['message']}"
    except (ValueError, KeyError, TypeError):
        return "(no error document)"


def fetch(records: Records, day: str, page_size: int) -> Iterator[Dict[str, Any]]:
    """Every settled record of ``day``, page by page, until a page comes back
    short. The first page fixes the horizon (``until``: rows received up to
    then have all committed, so the set no longer changes) and every later
    page asks for the same one, following the ``next`` cursor through it."""
    after: Optional[str] = None
    until: Optional[int] = None
    while True:
        page, cursor, horizon = records.page(day, after, until, page_size)
        if until is not None and horizon != until:
            fail(f"the records listener moved the horizon from {until} to {horizon} within one fetch")
        until = horizon
        yield from page
        if len(page) < page_size:
            return
        # A cursor that does not move would loop forever.
        if not isinstance(cursor, str) or cursor == after:
            fail(f"the records listener's page after {after} does not move the cursor forward")
        after = cursor


def open_record(opener: enseal.Opener, record: Dict[str, Any]) -> Dict[str, Any]:
    """The output line of one stored record, its sealed fields opened."""
    try:
        row_id = record["id"]
        record_id = record["recordId"]
        patient = record["patient"]
        if not isinstance(record_id, str) or not isinstance(patient, dict):
            raise TypeError
    except (KeyError, TypeError):
        fail(f"a record (id {record.get('id')!r}) lacks id, recordId or patient")
    try:
        opened = opener.open_record(record, SEALED, CONTEXT)["patient"]
    except enseal.EnsealError as e:
        # enseal's messages name the pointer and the key id, never the value.
        fail(f"record id {row_id} (recordId {record_id}): not opened: {e.name}: {e.detail}")
    try:
        clear = {name: opened[name] for name in ("name", "dob", "ssn", "diagnosis")}
    except KeyError as e:
        fail(f"record id {row_id} (recordId {record_id}): patient has no {e.args[0]}")
    return {
        "id": row_id,
        "recordId": record_id,
        "receivedAt": record.get("receivedAt"),
        "kid": record.get("kid"),
        "patient": clear,
    }


def write_whole(path: str, lines: Iterator[str], before_commit: Callable[[], None]) -> int:
    """Writes ``lines`` to ``path`` (0600) all or nothing, calling
    ``before_commit`` before the rename; returns the count."""
    directory = os.path.dirname(os.path.abspath(path))
    # mkstemp makes the file 0600 in the target's directory, so the rename
    # below is atomic and the plaintext is never readable by others.
    fd, temporary = tempfile.mkstemp(prefix=".fetch_day.", suffix=".part", dir=directory)
    count = 0
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            for line in lines:
                out.write(line)
                count += 1
            out.flush()
            os.fsync(out.fileno())
        before_commit()
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise
    return count


def write_stdout(lines: Iterator[str], stdout: TextIO, before_commit: Callable[[], None]) -> int:
    """Writes ``lines`` to stdout once all are made (no half output on error)."""
    collected = list(lines)
    before_commit()
    stdout.write("".join(collected))
    stdout.flush()
    return len(collected)


def day_argument(text: str) -> str:
    try:
        day = datetime.date.fromisoformat(text)
    except ValueError:
        day = None
    # fromisoformat also takes 20261201 and 2026-W49-2: only the service's form passes.
    if day is None or day.isoformat() != text:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD")
    return text


def page_size_argument(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_PAGE:
        raise argparse.ArgumentTypeError(f"expected 1 to {MAX_PAGE}")
    return value


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="fetch_day.py",
        description="Fetch one day's intakes from enseal-ingest over mutual TLS and open their sealed fields.",
    )
    p.add_argument("--url", required=True, help="the records listener, https://HOST:PORT")
    p.add_argument("--ca", required=True, help="the CA certificate (PEM) the service's certificate must chain to")
    p.add_argument("--cert", required=True, help="this pipeline's client certificate (PEM)")
    p.add_argument("--key", required=True, help="its private key (PEM)")
    p.add_argument(
        "--keys", required=True, help="private JWK set file, or pkcs11:/wrapped:/awskms: key URI(s), comma-separated"
    )
    p.add_argument("--day", required=True, type=day_argument, help="the day received (UTC), YYYY-MM-DD")
    p.add_argument("--audit", required=True, help="the enseal audit log to append to")
    p.add_argument("--actor", required=True, help="who opens, as the audit log records it")
    p.add_argument("--out", help="the output file (JSON lines, mode 0600); default stdout")
    p.add_argument(
        "--page-size", type=page_size_argument, default=500, help=f"records per request, 1 to {MAX_PAGE} (default 500)"
    )
    return p


def run(args: argparse.Namespace, stdout: TextIO) -> int:
    """Fetches and opens; returns the number of records written."""
    if not args.actor.strip():
        fail("--actor is empty")
    context = tls_context(args.ca, args.cert, args.key)
    keyring = load_keys(args.keys)
    try:
        audit = enseal.AuditLog.open(args.audit)
    except enseal.EnsealError as e:
        fail(f"--audit {args.audit}: cannot open the audit log: {e.name}: {e.detail}")
    opener = enseal.Opener(keyring, audit=audit, actor=args.actor)
    records = Records(args.url, context)

    def flush_audit() -> None:
        try:
            audit.flush()
        except enseal.EnsealError as e:
            fail(f"--audit {args.audit}: not written: {e.name}: {e.detail}")

    try:
        lines = (
            json.dumps(open_record(opener, r), ensure_ascii=False) + "\n"
            for r in fetch(records, args.day, args.page_size)
        )
        # The audit log is on disk before any opened value leaves this process.
        if args.out:
            return write_whole(args.out, lines, flush_audit)
        return write_stdout(lines, stdout, flush_audit)
    except BaseException:
        # What was opened before the failure stays audited.
        try:
            audit.flush()
        except enseal.EnsealError:
            pass
        raise
    finally:
        records.close()


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parser().parse_args(argv)
    try:
        count = run(args, sys.stdout)
    except PipelineError as e:
        print(f"fetch_day: {e}", file=sys.stderr)
        return 1
    except OSError as e:
        # Writing --out: the path is the user's, the content is not quoted.
        print(f"fetch_day: {e.filename or args.out}: {e.strerror}", file=sys.stderr)
        return 1
    print(f"fetch_day: {count} records of {args.day} opened", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
