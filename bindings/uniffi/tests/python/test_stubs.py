"""The installed stubs (`enseal/__init__.pyi`, what mypy and the parity check
read) against the installed package: the same public names, and in each class
the same public members, both ways."""

import ast
import dataclasses
import pathlib

import enseal


def stub():
    path = pathlib.Path(enseal.__file__).with_name("__init__.pyi")
    return ast.parse(path.read_text())


def public(names):
    return {n for n in names if not n.startswith("_") or n in ("__version__", "__init__", "__len__")}


def test_the_stubs_are_shipped_with_py_typed():
    assert pathlib.Path(enseal.__file__).with_name("py.typed").exists()


def test_the_stubs_name_exactly_the_public_api():
    tree = stub()
    top = set()
    for node in tree.body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
            top.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            top.add(node.target.id)
        elif isinstance(node, ast.Assign):
            top.update(t.id for t in node.targets if isinstance(t, ast.Name))
    assert public(top) == set(enseal.__all__)


def test_each_class_has_exactly_its_stubbed_members():
    for node in stub().body:
        if not isinstance(node, ast.ClassDef) or node.name == "Suite" or node.name.endswith("Error"):
            continue
        stubbed = set()
        for member in node.body:
            if isinstance(member, ast.FunctionDef):
                stubbed.add(member.name)
            elif isinstance(member, ast.AnnAssign) and isinstance(member.target, ast.Name):
                stubbed.add(member.target.id)
        cls = getattr(enseal, node.name)
        if node.name == "AesBackend":  # uniffi's record: fields, not class attributes
            instance = enseal.aes_backend()
            runtime = {n for n in vars(instance) if not n.startswith("_")}
        elif dataclasses.is_dataclass(cls):  # records: their fields and any properties
            runtime = {f.name for f in dataclasses.fields(cls)} | {n for n in dir(cls) if not n.startswith("_")}
        else:
            runtime = {n for n in dir(cls) if not n.startswith("_")}
            runtime |= {n for n in ("__init__", "__len__") if n in vars(cls)}
            if "__init__" not in stubbed:
                runtime.discard("__init__")  # the refusing constructor of KeyPair & co.
        assert public(stubbed) == runtime, node.name


def test_the_suite_members_are_those_of_the_stub():
    (suite,) = [n for n in stub().body if isinstance(n, ast.ClassDef) and n.name == "Suite"]
    members = {t.id: ast.literal_eval(a.value) for a in suite.body if isinstance(a, ast.Assign) for t in a.targets}
    assert members == {m.name: m.value for m in enseal.Suite}
