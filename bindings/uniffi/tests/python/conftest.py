import json
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[4]


@pytest.fixture(scope="session")
def kat():
    return json.loads((ROOT / "tests/vectors/enseal-v1.json").read_text())
