"""The public contract of COURSE.md: names and signatures the course depends on."""

from __future__ import annotations

import inspect
import subprocess
import sys

import pytest

import lstm_ref

CONTRACT = {
    "rnn_cell_forward": ["x_t", "h_prev", "params"],
    "rnn_cell_backward": ["dh_t", "cache"],
    "rnn_forward": ["x", "h0", "params"],
    "rnn_backward": ["dhs", "cache"],
    "lstm_cell_forward": ["x_t", "h_prev", "c_prev", "params"],
    "lstm_cell_backward": ["dh_t", "dc_t", "cache"],
    "lstm_forward": ["x", "h0", "c0", "params"],
    "lstm_backward": ["dhs", "cache"],
    "init_rnn_params": ["input_size", "hidden_size", "rng"],
    "init_lstm_params": ["input_size", "hidden_size", "rng", "forget_bias"],
    "from_torch_weights": ["weight_ih", "weight_hh", "bias_ih", "bias_hh"],
    "to_torch_weights": ["params"],
    "from_keras_weights": ["kernel", "recurrent_kernel", "bias"],
    "to_keras_weights": ["params"],
}


@pytest.mark.parametrize(("name", "arguments"), sorted(CONTRACT.items()))
def test_contract_names_have_the_contract_signatures(name, arguments):
    function = getattr(lstm_ref, name)
    assert list(inspect.signature(function).parameters) == arguments


def test_init_keyword_only_arguments_are_keyword_only():
    for name in ("init_rnn_params", "init_lstm_params"):
        params = inspect.signature(getattr(lstm_ref, name)).parameters
        assert params["rng"].kind is inspect.Parameter.KEYWORD_ONLY
    params = inspect.signature(lstm_ref.init_lstm_params).parameters
    assert params["forget_bias"].default == 1.0


def test_every_exported_name_exists_and_has_a_docstring():
    for name in lstm_ref.__all__:
        obj = getattr(lstm_ref, name)
        if callable(obj):
            assert inspect.getdoc(obj), f"lstm_ref.{name} has no docstring"


# Run in a fresh interpreter: a finder first on sys.meta_path records every
# attempt to import one of these, so the test fails on an ``import torch``
# even where torch is not installed (a guarded import would otherwise pass).
_IMPORT_SPY = """
import importlib, pkgutil, sys
FORBIDDEN = ("torch", "keras", "tensorflow", "jax")
attempts = []

class Spy:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in FORBIDDEN:
            attempts.append(name)
        return None

sys.meta_path.insert(0, Spy())
import lstm_ref
for module in pkgutil.iter_modules(lstm_ref.__path__):
    importlib.import_module("lstm_ref." + module.name)
loaded = [m for m in FORBIDDEN if m in sys.modules]
print(",".join(sorted(set(attempts) | set(loaded))))
"""


def test_importing_lstm_ref_imports_neither_torch_nor_keras():
    """No module of lstm_ref even tries to import torch, keras, tensorflow, jax."""
    out = subprocess.run(
        [sys.executable, "-c", _IMPORT_SPY], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "", f"lstm_ref tried to import {out.stdout.strip()}"


def test_the_import_spy_sees_an_import_of_a_missing_package():
    # The check above must not pass just because torch is absent here.
    code = _IMPORT_SPY.replace(
        "import lstm_ref\n",
        "import lstm_ref\ntry:\n    import jax.numpy\nexcept ImportError:\n    pass\n",
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert "jax" in out.stdout.strip().split(",")


def test_readme_python_example_runs():
    from pathlib import Path

    readme = Path(__file__).resolve().parent.parent / "README.md"
    blocks = readme.read_text(encoding="utf-8").split("```python\n")[1:]
    assert blocks, "README.md should show a Python example"
    for block in blocks:
        namespace: dict[str, object] = {}
        exec(block.split("```")[0], namespace)  # noqa: S102
        assert namespace["hs"].shape == (4, 20, 8)
