"""The tiny test model (tests/tiny_model.py) is written without torch and
llama.cpp runs it: per-token hidden states and logits that depend on the
input. The child process hides torch, transformers and peft, as in an
environment where the LoRA training packages were never installed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from reviewer.model.resolve import ModelLocation
from tests.hidden_modules import hiding
from tests.model_missing import require_modules

ROOT = Path(__file__).resolve().parents[2]

_CHILD = """
import json

try:
    import torch  # noqa: F401
    hidden = False
except ImportError:
    hidden = True

from pathlib import Path

import numpy as np

from reviewer.scorer.forward import ForwardModel
from tests.tiny_model import EMBED, write_tiny_model

path = write_tiny_model(Path(sys.argv[1]), Path(sys.argv[2]))
model = ForwardModel(path, context=256, threads=2)
first = model.states("def f(a, b):\\n    return a + b\\n", 2)
second = model.states("def g(x, y):\\n    return x - y\\n", 2)
llm = model.llm
print(json.dumps({
    "hidden": hidden,
    "loaded": sorted(name for name in HIDDEN if name in sys.modules),
    "n_embd": llm.n_embd(),
    "embed": EMBED,
    "n_vocab": llm.n_vocab(),
    "shape": list(first.mean.shape),
    "tokens": first.tokens.tolist(),
    "finite": bool(np.isfinite(first.mean).all() and np.isfinite(first.surprisal).all()),
    "surprisal": first.surprisal.tolist(),
    "states_differ": float(np.abs(first.mean - second.mean).max()),
    "surprisal_differs": float(np.abs(first.surprisal - second.surprisal).max()),
}))
model.close()
"""
WITHOUT_TORCH = hiding("torch", "transformers", "peft") + _CHILD


def test_the_tiny_model_is_written_and_run_without_torch(
    model_default: ModelLocation, tmp_path: Path
) -> None:
    require_modules("gguf", "llama_cpp")
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "lsp")])}
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_TORCH, str(model_default.path), str(tmp_path / "t.gguf")],
        env=environment, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    facts = json.loads(result.stdout.strip().splitlines()[-1])
    assert facts["hidden"] is True and facts["loaded"] == []
    assert facts["n_embd"] == facts["embed"] and facts["shape"] == [2, facts["embed"]]
    assert facts["n_vocab"] > 150_000  # the default model's tokenizer
    assert all(count > 0 for count in facts["tokens"]) and facts["finite"]
    assert all(value > 0 for row in facts["surprisal"] for value in row)
    assert facts["states_differ"] > 0.1 and facts["surprisal_differs"] > 0.01
