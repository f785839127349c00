"""Audited openers through the installed wheel: a callback and the
hash-chained file log receive open, failed open and decapsulation events
with the right fields and never the plaintext; a log written here verifies
intact, and not after a line is deleted, edited or moved; a sink that fails
makes the open fail closed."""

import concurrent.futures
import json

import pytest

import enseal

SECRET = "123-45-6789"


@pytest.fixture
def key():
    return enseal.KeyPair.generate()


def test_a_callback_receives_every_event_with_its_fields(key):
    events = []
    opener = enseal.Opener([key], audit=events.append, actor="billing-service")
    sealer = enseal.Sealer(key.public_key)
    sealed = sealer.seal(SECRET, "patients/8812/ssn")
    parsed = enseal.Sealed.parse(sealed)
    assert opener.open(sealed, "patients/8812/ssn") == SECRET.encode()
    assert opener.open_string(sealer.seal("x", "c2"), "c2") == "x"
    with pytest.raises(enseal.DecryptFailedError):
        opener.open(sealed, "patients/8813/ssn")
    with pytest.raises(enseal.BadPrefixError):
        opener.open("not sealed", "c3")
    assert all(isinstance(e, enseal.AuditEvent) for e in events)
    ops = [(e.operation, e.error, e.context) for e in events]
    # One decapsulation for the session, then an event per open.
    assert ops == [
        ("decapsulate", None, None),
        ("open", None, b"patients/8812/ssn"),
        ("open", None, b"c2"),
        ("open", "DECRYPT_FAILED", b"patients/8813/ssn"),
        ("open", "BAD_PREFIX", b"c3"),
    ], ops
    for e in events[:4]:
        assert (e.kid, e.suite, e.session_id, e.actor) == (key.kid, key.suite, parsed.session_id, "billing-service")
        assert e.time > 1_700_000_000
    unparsed = events[4]
    assert (unparsed.kid, unparsed.suite, unparsed.session_id) == (None, None, None)
    assert SECRET not in repr(events) and SECRET.encode() not in b"".join(e.context or b"" for e in events)


def test_a_callback_that_raises_makes_the_open_fail_closed(key):
    calls = []

    def refuse(event):
        calls.append(event.operation)
        if event.operation == "open":
            raise RuntimeError("audit backend down")

    opener = enseal.Opener([key], audit=refuse, actor="svc")
    sealer = enseal.Sealer(key.public_key)
    sealed = sealer.seal(SECRET, "c")
    for open_ in (opener.open, opener.open_string):
        with pytest.raises(enseal.AuditFailedError, match="the audit sink did not record the event; the open failed closed") as err:
            open_(sealed, "c")
        assert SECRET not in str(err.value)
        # The callback's own exception is chained, for the caller's logs.
        assert isinstance(err.value.__cause__, RuntimeError) and "backend down" in str(err.value.__cause__)
    with pytest.raises(enseal.AuditFailedError):
        opener.open_batch([sealed, sealed], "c")
    with pytest.raises(enseal.AuditFailedError):
        opener.open_json(sealer.seal_json({"ssn": SECRET}, ["/ssn"]), ["/ssn"])
    template = enseal.ContextTemplate.parse("p/{id}{pointer}")
    with pytest.raises(enseal.AuditFailedError):
        opener.open_record(sealer.seal_record('{"id":1,"ssn":"1"}', ["/ssn"], template), ["/ssn"], template)
    assert "open" in calls
    # A raising decapsulation event fails the open too.
    opener = enseal.Opener([key], audit=lambda e: 1 / 0, actor="svc")
    with pytest.raises(enseal.AuditFailedError) as err:
        opener.open(sealed, "c")
    assert isinstance(err.value.__cause__, ZeroDivisionError)
    # The uniffi path (documents) chains it too.
    with pytest.raises(enseal.AuditFailedError) as err:
        opener.open_json_all(sealer.seal_json({"ssn": SECRET}, ["/ssn"]))
    assert isinstance(err.value.__cause__, ZeroDivisionError)


def open_in_threads(opener, sealed, threads=4):
    """Opens sealed[i] (sealed with context ci, holding vi) on `threads`
    threads at once; a failed assertion in any thread fails the test."""

    def work(n):
        for i in range(n, len(sealed), threads):
            assert opener.open(sealed[i], f"c{i}") == f"v{i}".encode()

    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        for done in [pool.submit(work, n) for n in range(threads)]:
            done.result()


def test_a_callback_sees_large_values_and_threads(key):
    # Values of 16 KiB or more are opened without the GIL: the callback takes it back.
    events = []
    opener = enseal.Opener([key], audit=events.append, actor="svc")
    sealer = enseal.Sealer(key.public_key)
    big = sealer.seal(b"x" * 100_000, "big")
    assert opener.open(big, "big") == b"x" * 100_000
    sealed = [sealer.seal(f"v{i}", f"c{i}") for i in range(200)]

    open_in_threads(opener, sealed)
    opens = [e for e in events if e.operation == "open"]
    assert len(opens) == 201 and {e.context for e in opens} == {b"big"} | {f"c{i}".encode() for i in range(200)}


def test_audit_and_actor_go_together(key):
    with pytest.raises(TypeError, match="together"):
        enseal.Opener([key], audit=print)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="together"):
        enseal.Opener([key], actor="svc")  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="AuditLog or a callable"):
        enseal.Opener([key], audit="log.jsonl", actor="svc")  # type: ignore[call-overload]


def write_log(path, key):
    log = enseal.AuditLog.open(path)
    sealer = enseal.Sealer(key.public_key)
    other = enseal.KeyPair.generate(enseal.Suite.P256)
    for actor in ("alice", "bob"):
        opener = enseal.Opener([key, other], audit=log, actor=actor)
        for i in range(3):
            assert opener.open(sealer.seal(f"{SECRET}-{i}", f"rows/{i}"), f"rows/{i}") == f"{SECRET}-{i}".encode()
        with pytest.raises(enseal.DecryptFailedError):
            opener.open(sealer.seal("v", "a"), "b")
    enseal.Opener([other], audit=log, actor="carol").open(enseal.Sealer(other.public_key).seal("w", "c"), "c")
    log.flush()
    return other


def test_a_log_written_from_python_verifies_and_counts(tmp_path, key):
    path = tmp_path / "audit.jsonl"
    other = write_log(path, key)
    lines = path.read_text().splitlines()
    assert SECRET not in path.read_text()
    # alice and bob: 1 decapsulation + 4 opens each; carol: 1 + 1.
    report = enseal.verify_audit_log(path)
    assert isinstance(report, enseal.AuditReport) and report.intact and report.problem is None
    assert report.events == len(lines) == 12 and report.failures == 2
    assert report.per_actor == {"alice": 5, "bob": 5, "carol": 2}
    assert report.per_kid == {key.kid: 10, other.kid: 2}
    assert report.last_hash == json.loads(lines[-1])["hash"]
    first = json.loads(lines[1])
    assert (first["op"], first["outcome"], first["actor"], first["context"], first["kid"]) == ("open", "ok", "alice", "rows/0", key.kid)
    # Reopened, the log appends to the same chain.
    log = enseal.AuditLog.open(str(path))
    enseal.Opener([key], audit=log, actor="dave").open(enseal.Sealer(key.public_key).seal("z", "c"), "c")
    log.flush()
    assert enseal.verify_audit_log(str(path)).events == 14


@pytest.mark.parametrize("tamper", ["delete", "edit", "reorder"])
def test_a_tampered_log_does_not_verify(tmp_path, key, tamper):
    path = tmp_path / "audit.jsonl"
    write_log(path, key)
    lines = path.read_text().splitlines(keepends=True)
    if tamper == "delete":
        del lines[4]
    elif tamper == "edit":
        lines[4] = lines[4].replace('"actor":"alice"', '"actor":"mallory"')
        assert "mallory" in lines[4]
    else:
        lines[4], lines[5] = lines[5], lines[4]
    path.write_text("".join(lines))
    report = enseal.verify_audit_log(path)
    assert not report.intact and report.problem is not None
    assert report.problem.line == 5, report.problem
    assert report.events == 4  # the intact lines before the break
    # A broken log is refused for appending: the break would be hidden.
    with pytest.raises(enseal.InvalidArgumentError, match="line 5"):
        enseal.AuditLog.open(path)


def test_log_errors_have_codes(tmp_path):
    with pytest.raises(enseal.InvalidArgumentError, match="audit log"):
        enseal.verify_audit_log(tmp_path / "missing.jsonl")
    with pytest.raises(enseal.InvalidArgumentError):
        enseal.AuditLog.open(tmp_path / "no-such-dir" / "a.jsonl")
    with pytest.raises(TypeError, match="AuditLog.open"):
        enseal.AuditLog()  # type: ignore[call-arg]


def test_an_audited_opener_is_shared_between_threads(tmp_path, key):
    path = tmp_path / "audit.jsonl"
    log = enseal.AuditLog.open(path)
    opener = enseal.Opener([key], audit=log, actor="workers")
    sealer = enseal.Sealer(key.public_key)
    sealed = [sealer.seal(f"v{i}", f"c{i}") for i in range(400)]
    opener.open(sealed[0], "c0")  # the session is decapsulated (and cached) once, here

    open_in_threads(opener, sealed)
    log.flush()
    report = enseal.verify_audit_log(path)
    assert report.intact and report.per_actor == {"workers": 402}
