"""The one place that loads enseal's native code. Nothing here is public API.

One shared library (``enseal/_native/libenseal_uniffi.so``, built from
``bindings/uniffi``) holds two ways into the Rust core:

``native``
    The bindings uniffi generates (``enseal/_native/enseal.py``, ctypes over the
    library): keys, keysets, keyrings, documents, building sealers and openers.
    Each call costs several ctypes calls (~18 µs to seal a short value), which
    does not matter for those.

``hot``
    CPython entry points in the same library (``bindings/uniffi/src/cpython.rs``,
    PyO3, built with the crate feature ``python``): ``seal``, ``seal_binary``,
    ``seal_batch``, ``open``, ``open_string``, ``open_binary``, ``open_batch``,
    and ``Sealed``. A call costs about what sealing costs (~0.3 µs), and
    values of 16 KiB or more are handled without the GIL. A uniffi ``Sealer``/``Opener`` is
    handed to it by a one-time token (``hot.Sealer(native.hot_path_token())``):
    both layers share the object, and a forged or reused token is a
    ``ValueError``, never a dangling pointer.

So ``enseal.Sealer.seal`` is ``self._hot.seal(value, context)``, and everything
that is not per field goes through ``native``. Both raise the classes of
``enseal._errors``: the hot path directly, uniffi's generated errors through
:func:`translated`.
"""

from __future__ import annotations

import functools
import glob
import importlib.machinery
import importlib.util
import os
import sys
from typing import Any, Callable, TypeVar

from . import _native as native
from ._errors import EnsealError, _error

__all__ = ["hot", "native", "translated"]


def _load_hot() -> Any:
    # Importing the library file the generated bindings loaded a second time,
    # as an extension module: the dynamic loader hands back the library already
    # in memory, so the module sees the same Rust objects.
    (path,) = glob.glob(os.path.join(os.path.dirname(native.__file__), "*enseal_uniffi.*"))
    name = f"{__package__}._hot"
    loader = importlib.machinery.ExtensionFileLoader(name, path)
    spec = importlib.util.spec_from_file_location(name, path, loader=loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    sys.modules[name] = module
    return module


hot = _load_hot()

F = TypeVar("F", bound=Callable[..., Any])


def translated(function: F) -> F:
    """Raises uniffi's generated error for a code as the ``enseal`` class of that code."""

    @functools.wraps(function)
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except native.EnsealError as generated:
            error = _from_native(generated)
            raise error from error.__cause__  # an audit callback's exception, else None

    return call  # type: ignore[return-value]


def _from_native(generated: Any) -> EnsealError:
    return _error(int(generated.code), str(generated.detail))
