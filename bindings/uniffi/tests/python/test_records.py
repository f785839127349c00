"""Context templates (every case of tests/vectors/context-templates.json),
records sealed, opened and re-sealed by template, re-sealing single values,
and session limits, through the installed wheel."""

import json

import pytest

import enseal
from conftest import ROOT

CASES = json.loads((ROOT / "tests/vectors/context-templates.json").read_text())["cases"]
ERRORS = {cls.name: cls for cls in (getattr(enseal, n) for n in enseal.__all__ if n.endswith("Error")) if cls is not enseal.EnsealError}


def top_level_fields(record_text):
    """The record's top-level scalars as their text (a number as written, true/false)."""
    record = json.loads(record_text, parse_int=str, parse_float=str)
    return {k: ("true" if v is True else "false" if v is False else v) for k, v in record.items() if isinstance(v, (str, bool))}


def rendered(template_text, render):
    try:
        return render(enseal.ContextTemplate.parse(template_text))
    except enseal.EnsealError as e:
        return e


@pytest.mark.parametrize("case", CASES, ids=[f"{c['template']}|{c['record']}" for c in CASES])
def test_every_shared_template_case_renders_from_the_record(case):
    got = rendered(case["template"], lambda t: t.render_json(case["record"], case["pointer"]))
    if "error" in case:
        assert isinstance(got, ERRORS[case["error"]]), got
        assert got.code == 405 and got.name == "INVALID_TEMPLATE"
    else:
        assert got == case["context"].encode(), got


def test_every_shared_case_with_top_level_fields_renders_from_a_dict():
    checked = 0
    for case in CASES:
        try:
            template = enseal.ContextTemplate.parse(case["template"])
        except enseal.InvalidTemplateError:
            assert case.get("error") == "INVALID_TEMPLATE"
            checked += 1
            continue
        if any(f.startswith("/") for f in template.fields):
            continue  # a field by JSON Pointer is not a top-level field
        fields = top_level_fields(case["record"])
        try:
            got = template.render(case["pointer"], fields)
        except enseal.InvalidTemplateError:
            assert case.get("error") == "INVALID_TEMPLATE", case
        else:
            assert got == case["context"].encode(), case
        checked += 1
    assert checked >= 15  # all but the cases that read a nested field


def test_the_template_tells_its_text_fields_and_pointer():
    t = enseal.ContextTemplate.parse("{site}/{/patient/mrn}{pointer}")
    assert str(t) == t.template == "{site}/{/patient/mrn}{pointer}"
    assert t.fields == ["site", "/patient/mrn"] and t.has_pointer
    assert not enseal.ContextTemplate.parse("patients/{id}/ssn").has_pointer
    assert t == enseal.ContextTemplate.parse(str(t)) and "{site}" in repr(t)
    with pytest.raises(TypeError, match="ContextTemplate.parse"):
        enseal.ContextTemplate("{id}")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="str to str"):
        t.render("/x", {"site": 1})  # type: ignore[dict-item]
    with pytest.raises(enseal.InvalidTemplateError, match="never closed"):
        enseal.ContextTemplate.parse("p/{id")


@pytest.fixture
def key():
    return enseal.KeyPair.generate()


RECORD = '{"id":8812,"name":"Ada","ssn":"123-45-6789","visits":[{"dx":"F32.1"},{"dx":"J45"}]}'
POINTERS = ["/ssn", "/visits/*/dx"]
TEMPLATE = "patients/{id}{pointer}"


def test_a_record_round_trips_as_text_and_as_a_dict(key):
    template = enseal.ContextTemplate.parse(TEMPLATE)
    sealer, opener = enseal.Sealer(key.public_key), enseal.Opener([key])
    sealed = sealer.seal_record(RECORD, POINTERS, template)
    assert isinstance(sealed, str) and "123-45-6789" not in sealed and "F32.1" not in sealed
    doc = json.loads(sealed)
    # Each value is sealed with the context the template gives it: it opens on its own.
    assert opener.open(doc["ssn"], "patients/8812/ssn") == b'"123-45-6789"' + b" " * 3
    assert opener.open_record(sealed, POINTERS, template) == RECORD
    assert opener.open_record_all(sealed, template) == RECORD
    as_dict = sealer.seal_record(json.loads(RECORD), POINTERS, template, pad_to=0)
    assert isinstance(as_dict, dict) and enseal.is_sealed(as_dict["ssn"])
    assert opener.open_record(as_dict, POINTERS, template) == json.loads(RECORD)
    # Another record's id gives another context: a value moved between records does not open.
    moved = dict(doc, id=8813)
    with pytest.raises(enseal.DecryptFailedError):
        opener.open_record(json.dumps(moved), ["/ssn"], template)


def test_record_errors_have_their_codes(key):
    template = enseal.ContextTemplate.parse(TEMPLATE)
    sealer, opener = enseal.Sealer(key.public_key), enseal.Opener([key])
    with pytest.raises(enseal.InvalidTemplateError, match="id"):
        sealer.seal_record('{"ssn":"1"}', ["/ssn"], template)  # no id to fill the template
    with pytest.raises(enseal.InvalidTemplateError):
        sealer.seal_record(RECORD, ["/id"], template)  # sealing a field the template reads
    with pytest.raises(enseal.InvalidTemplateError, match="pointer"):
        sealer.seal_record(RECORD, POINTERS, enseal.ContextTemplate.parse("patients/{id}"))
    with pytest.raises(enseal.InvalidJsonError):
        sealer.seal_record("{", ["/ssn"], template)
    with pytest.raises(enseal.PathNotFoundError):
        sealer.seal_record(RECORD, ["/nope"], template)
    with pytest.raises(enseal.NotSealedError):
        opener.open_record(RECORD, ["/ssn"], template)
    with pytest.raises(TypeError, match="ContextTemplate"):
        sealer.seal_record(RECORD, ["/ssn"], TEMPLATE)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="list of JSON Pointers"):
        sealer.seal_record(RECORD, "/ssn", template)
    with pytest.raises(TypeError, match="record must be"):
        sealer.seal_record(b"{}", ["/ssn"], template)  # type: ignore[call-overload]


def test_reseal_moves_old_values_and_leaves_current_ones():
    old, new = enseal.KeyPair.generate(), enseal.KeyPair.generate(enseal.Suite.P256)
    both, only_new = enseal.Opener([old, new]), enseal.Opener([new])
    to_new = enseal.Sealer(new.public_key)
    on_old = enseal.Sealer(old.public_key).seal("123-45-6789", "patients/8812/ssn")
    moved = both.reseal(on_old, "patients/8812/ssn", to_new)
    assert isinstance(moved, enseal.Resealed) and not moved.already_current
    assert enseal.Sealed.parse(moved.text).kid == new.kid != enseal.Sealed.parse(on_old).kid
    assert only_new.open(moved.text, "patients/8812/ssn") == b"123-45-6789"
    with pytest.raises(enseal.UnknownKeyError):
        only_new.open(on_old, "patients/8812/ssn")
    again = both.reseal(moved.text, "patients/8812/ssn", to_new)
    assert again.already_current and again.text == moved.text
    # Current is decided from the kid alone: no key is needed for it.
    assert enseal.Opener(enseal.Keyring()).reseal(moved.text, b"any context", to_new).already_current
    assert both.reseal(enseal.Sealed.parse(on_old), "patients/8812/ssn", to_new).already_current is False
    # The old key gone: the value fails, never silently.
    with pytest.raises(enseal.UnknownKeyError):
        only_new.reseal(on_old, "patients/8812/ssn", to_new)
    with pytest.raises(enseal.DecryptFailedError):
        both.reseal(on_old, "patients/8813/ssn", to_new)


def test_reseal_records_count_what_they_did():
    old, new = enseal.KeyPair.generate(), enseal.KeyPair.generate()
    template = enseal.ContextTemplate.parse(TEMPLATE)
    both, only_new = enseal.Opener([old, new]), enseal.Opener([new])
    to_new = enseal.Sealer(new.public_key)
    sealed = enseal.Sealer(old.public_key).seal_record(RECORD, POINTERS, template)
    done = both.reseal_record(sealed, POINTERS, template, to_new)
    assert isinstance(done, enseal.ResealedRecord) and isinstance(done.json, str)
    assert (done.resealed, done.already_current) == (3, 0)
    doc = json.loads(done.json)
    assert all(enseal.Sealed.parse(v).kid == new.kid for v in [doc["ssn"], doc["visits"][0]["dx"], doc["visits"][1]["dx"]])
    assert only_new.open_record(done.json, POINTERS, template) == RECORD
    again = both.reseal_record_all(json.loads(done.json), template, to_new)
    assert isinstance(again.json, dict) and (again.resealed, again.already_current) == (0, 3)
    assert again.json == doc
    with pytest.raises(enseal.UnknownKeyError):
        only_new.reseal_record_all(sealed, template, to_new)


def test_session_limits_are_read_back_and_checked(key):
    default = enseal.Sealer(key.public_key).limits
    assert default == enseal.SessionLimits(max_fields=2**32, max_age=3600)
    assert enseal.Sealer(key.public_key, max_session_age=60).limits.max_age == 60
    both = enseal.Sealer(key.public_key, field_limit=10, max_session_age=5).limits
    assert (both.max_fields, both.max_age) == (10, 5)
    keyset = enseal.Keyset.from_public_key(key.public_key)
    assert enseal.Sealer.from_keyset(keyset, max_session_age=120).limits.max_age == 120
    for build in (
        lambda: enseal.Sealer(key.public_key, max_session_age=0),
        lambda: enseal.Sealer(key.public_key, field_limit=3, max_session_age=0),
        lambda: enseal.Sealer.from_keyset(keyset, max_session_age=0),
        lambda: enseal.Sealer(key.public_key, max_session_age=-1),
    ):
        with pytest.raises(enseal.InvalidArgumentError, match="at least one"):
            build()
    with pytest.raises(TypeError, match="whole seconds"):
        enseal.Sealer(key.public_key, max_session_age=1.5)  # type: ignore[arg-type]
