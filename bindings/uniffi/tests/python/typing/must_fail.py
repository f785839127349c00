"""What must NOT type-check. Each line below carries the `type: ignore[code]`
of the error mypy must report there; `mypy --strict` (which warns of unused
ignores) fails if a line type-checks, or fails for another reason."""

import enseal

key = enseal.KeyPair.generate()
sealer = enseal.Sealer(key.public_key)
opener = enseal.Opener([key])
text = sealer.seal("v", "c")

key.public_key()  # type: ignore[operator]
key.kid()  # type: ignore[operator]
enseal.Sealer(key)  # type: ignore[arg-type]
enseal.Sealer(enseal.Keyset.from_public_key(key.public_key))  # type: ignore[arg-type]
sealer.seal(5, "c")  # type: ignore[arg-type]
sealer.seal("v", None)  # type: ignore[arg-type]
binary: str = sealer.seal_binary("v", "c")  # type: ignore[assignment]
opened: str = opener.open(text, "c")  # type: ignore[assignment]
opener.open(sealer.seal_binary("v", "c"), "c")  # type: ignore[arg-type]
opener.open_binary(text, "c")  # type: ignore[arg-type]
sealer.seal_many(["v"], "c")  # type: ignore[attr-defined]
opener.open_str(text, "c")  # type: ignore[attr-defined]
sealer.seal_text("v", "c")  # type: ignore[attr-defined]
sealer.seal_json({}, ["/a"], None, 16)  # type: ignore[call-arg]
enseal.Sealed.parse(b"enseal1.")  # type: ignore[arg-type]
enseal.Keyset.from_public_key(key.public_key).check_sealed(sealer.seal_binary("v", "c"))  # type: ignore[arg-type]
unchecked: str = enseal.Keyset.from_public_key(key.public_key).check_sealed(text)  # type: ignore[assignment]
enseal.EnsealError.DecryptFailed  # type: ignore[attr-defined]
enseal.DecryptFailedError.code = 5  # type: ignore[assignment]
enseal.Keyset.from_public_key(key.public_key, 1)  # type: ignore[call-arg]
count: str = len(enseal.Keyring())  # type: ignore[assignment]
template = enseal.ContextTemplate.parse("p/{id}{pointer}")
template.template()  # type: ignore[operator]
template.render({"id": "1"}, "/x")  # type: ignore[arg-type]
template.render("/x", {"id": 1})  # type: ignore[dict-item]
sealer.seal_record('{"id":1}', ["/x"], "p/{id}{pointer}")  # type: ignore[call-overload]
sealer.seal_record('{"id":1}', template, ["/x"])  # type: ignore[call-overload]
wrong_form: dict[str, object] = sealer.seal_record('{"id":1}', ["/x"], template)  # type: ignore[assignment]
opener.reseal(text, sealer, "c")  # type: ignore[arg-type]
opener.reseal(text, "c", sealer).kid  # type: ignore[attr-defined]
enseal.Opener([key], audit=print)  # type: ignore[call-overload]
enseal.Opener([key], audit="log.jsonl", actor="svc")  # type: ignore[call-overload]
enseal.Sealer(key.public_key, max_session_age="1h")  # type: ignore[arg-type]
age: str = sealer.limits.max_age  # type: ignore[assignment]
