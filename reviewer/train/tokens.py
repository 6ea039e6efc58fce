"""Token ids for training, made by llama.cpp from the base GGUF itself (its
vocabulary loaded alone) with the same chat formatter the llama backend
uses: what the model learns on is token for token what it sees at review."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reviewer.train.examples import Example


@dataclass(frozen=True)
class Encoded:
    record_id: str
    ids: tuple[int, ...]
    prompt_length: int  # ids before this are context, not learned
    buggy: bool


class ChatTokenizer:
    def __init__(self, gguf: Path) -> None:
        import llama_cpp

        from reviewer.model.llama import _chat_formatter

        self.llm: Any = llama_cpp.Llama(model_path=str(gguf), vocab_only=True, verbose=False)
        self.formatter = _chat_formatter(self.llm)
        self.eos = int(self.llm.token_eos())

    def prompt_ids(self, messages: tuple[dict[str, str], ...]) -> list[int]:
        formatted = self.formatter(messages=list(messages))
        return list(
            self.llm.tokenize(
                formatted.prompt.encode("utf-8"), add_bos=not formatted.added_special, special=True
            )
        )

    def encode(self, example: Example) -> Encoded:
        prompt = self.prompt_ids(example.messages)
        answer = self.llm.tokenize(example.target.encode("utf-8"), add_bos=False, special=False)
        return Encoded(example.record_id, (*prompt, *answer, self.eos), len(prompt), example.buggy)
