"""Opens every binding's custody test records through a key in an HSM with the
installed wheel: open.py KEY_URI FILE... (see README.md). Also checks that
bad key URIs fail with the right error class and never echo a PIN."""

import json
import sys

import enseal

TEMPLATE = enseal.ContextTemplate.parse("custody/{by}/{i}{pointer}")


def expected(by: str, i: int) -> dict:
    return {"by": by, "i": i, "ssn": "123-45-%04d" % i, "dx": "J45.%d" % i}


def main() -> None:
    uri, files = sys.argv[1], sys.argv[2:]
    ring = enseal.Keyring()
    assert ring.add_custody(uri) and not ring.add_custody(uri)
    assert json.loads(ring.to_jwks()) == {"keys": []}  # the private key is not here to export
    opener = enseal.Opener(ring)
    counts = {}
    for path in files:
        for line in open(path):
            record = json.loads(line)
            assert record["ssn"].startswith("enseal1.") and record["dx"].startswith("enseal1."), path
            opened = json.loads(opener.open_record_all(line.strip(), TEMPLATE))
            assert opened == expected(record["by"], record["i"]), (path, opened)
            counts[record["by"]] = counts.get(record["by"], 0) + 1
    assert all(n == 20 for n in counts.values()), counts

    if uri.startswith("pkcs11:"):
        check_bad_uris(uri)
    print(f"python opened through {uri.split(':')[0]}: {counts}")


def check_bad_uris(uri: str) -> None:
    """A URI naming nothing, or of no known scheme: INVALID_ARGUMENT, the PIN never shown."""
    module = uri.split("module-path=")[1].split("&")[0]
    secret = "pin-S3cret-never-shown"
    for bad in ("nope:key", f"pkcs11:token=enseal-test;object=absent;type=private?module-path={module}&pin-value={secret}"):
        try:
            enseal.Keyring().add_custody(bad)
            raise AssertionError(f"{bad} was accepted")
        except enseal.EnsealError as e:
            assert secret not in str(e) and secret not in repr(e), e
            assert isinstance(e, (enseal.InvalidArgumentError, enseal.KeyUnavailableError)), e


main()
