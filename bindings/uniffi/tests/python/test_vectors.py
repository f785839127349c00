"""The shared known-answer vectors through the installed wheel: same plaintexts, same error codes."""

import enseal

SUITES = {"X25519": enseal.Suite.X25519, "P-256": enseal.Suite.P256, "X-Wing": enseal.Suite.X_WING}


def opener_for(kat):
    keys = [enseal.KeyPair.from_private_bytes(SUITES[s["suite"]], bytes.fromhex(s["private_key"])) for s in kat["suites"]]
    for key, s in zip(keys, kat["suites"]):
        assert key.kid == s["kid"]
    return enseal.Opener(keys)


def test_positive_cases_open(kat):
    opener = opener_for(kat)
    opened = 0
    for s in kat["suites"]:
        for case in s["positive"]:
            ctx, want = bytes.fromhex(case["context_hex"]), bytes.fromhex(case["plaintext_hex"])
            assert opener.open_binary(bytes.fromhex(case["sealed_hex"]), ctx) == want
            sealed = enseal.Sealed.parse(case["sealed_text"])
            assert sealed.kid == s["kid"] and sealed.to_binary().hex() == case["sealed_hex"]
            assert opener.open(sealed, ctx) == want
            assert opener.open(case["sealed_text"], ctx) == want
            assert enseal.is_sealed(case["sealed_text"])
            opened += 1
    assert opened == 16


def test_negative_cases_fail_with_their_code(kat):
    opener = opener_for(kat)
    for case in kat["negative"]:
        context = bytes.fromhex(case["context_hex"])
        try:
            if "sealed_text" in case:
                opener.open(case["sealed_text"], context)
            else:
                opener.open_binary(bytes.fromhex(case["sealed_hex"]), context)
        except enseal.EnsealError as e:
            assert e.code == case["code"], (case["name"], e)
            assert e.name == case["error"], (case["name"], type(e).__name__)
            assert type(e).__name__.upper() == case["error"].replace("_", "") + "ERROR", (case["name"], type(e).__name__)
        else:
            raise AssertionError(f"{case['name']} opened")


def test_jwks_in_the_vectors_import(kat):
    for s in kat["suites"]:
        pair = enseal.KeyPair.from_jwk(__import__("json").dumps(s["private_jwk"]))
        public = enseal.PublicKey.from_jwk(__import__("json").dumps(s["public_jwk"]))
        assert pair.kid == public.kid == s["kid"]
        assert public.to_bytes().hex() == s["public_key"]
