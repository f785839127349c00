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
enseal.EnsealError.DecryptFailed  # type: ignore[attr-defined]
enseal.DecryptFailedError.code = 5  # type: ignore[assignment]
enseal.Keyset.from_public_key(key.public_key, 1)  # type: ignore[call-arg]
count: str = len(enseal.Keyring())  # type: ignore[assignment]
