"""Gemini generation through google-genai, thinking switched off on the hot path."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dovvy.providers.google import GenAIProvider, transport_errors
from dovvy.providers.llm import Generation, LLMError, Prompt


class GeminiLLM(GenAIProvider):
    name = "gemini"

    def _request(self, prompt: Prompt) -> dict[str, Any]:
        from google.genai import types

        contents = [
            types.Content(
                role="model" if m.role == "assistant" else "user", parts=[types.Part(text=m.content)]
            )
            for m in prompt.messages
        ]
        config = types.GenerateContentConfig(
            system_instruction=prompt.system,
            temperature=prompt.temperature,
            max_output_tokens=prompt.max_tokens,
            thinking_config=types.ThinkingConfig(thinking_budget=0),
        )
        return {"model": self.model, "contents": contents, "config": config}

    def generate(self, prompt: Prompt) -> Generation:
        from google.genai import errors

        try:
            response = self._genai().models.generate_content(**self._request(prompt))
        except errors.APIError as exc:
            raise LLMError(f"HTTP {exc.code}") from None
        except transport_errors() as exc:  # timeouts and connection errors
            raise LLMError(type(exc).__name__) from None
        text = (response.text or "").strip()
        if not text:
            raise LLMError("empty completion")
        return Generation(text, self.name, self.model)

    def stream(self, prompt: Prompt) -> Iterator[str]:
        from google.genai import errors

        try:
            for chunk in self._genai().models.generate_content_stream(**self._request(prompt)):
                if chunk.text:
                    yield chunk.text
        except errors.APIError as exc:
            raise LLMError(f"HTTP {exc.code}") from None
        except transport_errors() as exc:
            raise LLMError(type(exc).__name__) from None
