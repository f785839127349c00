"""Seals the custody test records with the installed wheel: seal.py PUBLIC_JWK OUT (see README.md)."""

import json
import sys

import enseal

TEMPLATE = enseal.ContextTemplate.parse("custody/{by}/{i}{pointer}")


def main() -> None:
    public = enseal.PublicKey.from_jwk(open(sys.argv[1]).read())
    with open(sys.argv[2], "w") as out:
        for i in range(20):
            if i % 5 == 0:
                sealer = enseal.Sealer(public)  # a new session every 5 records
            record = {"by": "python", "i": i, "ssn": "123-45-%04d" % i, "dx": "J45.%d" % i}
            out.write(sealer.seal_record(json.dumps(record, separators=(",", ":")), ["/ssn", "/dx"], TEMPLATE) + "\n")


main()
