"""Groq chat completions through the official SDK (OpenAI-compatible wire format)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from dovvy.providers.llm import Generation, LLMError, Prompt

if TYPE_CHECKING:
    from dovvy.providers import Connection


class GroqLLM:
    name = "groq"

    def __init__(self, model: str, connection: Connection) -> None:
        self.model = model
        self._connection = connection
        self._client: Any = None

    def _groq(self) -> Any:
        if self._client is None:
            from groq import Groq

            # The SDK retries 408/409/429/5xx with backoff and honours retry-after.
            self._client = Groq(
                api_key=self._connection.api_key.reveal(),
                base_url=self._connection.base_url,
                timeout=self._connection.timeout,
                max_retries=self._connection.retries,
            )
        return self._client

    def _messages(self, prompt: Prompt) -> list[dict[str, str]]:
        return [{"role": "system", "content": prompt.system}] + [
            {"role": m.role, "content": m.content} for m in prompt.messages
        ]

    def generate(self, prompt: Prompt) -> Generation:
        import groq

        try:
            response = self._groq().chat.completions.create(
                model=self.model,
                messages=self._messages(prompt),
                max_tokens=prompt.max_tokens,
                temperature=prompt.temperature,
            )
        except groq.APIStatusError as exc:
            raise LLMError(f"HTTP {exc.status_code}") from None
        except groq.APIError as exc:
            raise LLMError(type(exc).__name__) from None
        text = (response.choices[0].message.content or "").strip() if response.choices else ""
        if not text:
            raise LLMError("empty completion")
        return Generation(text, self.name, response.model or self.model)

    def stream(self, prompt: Prompt) -> Iterator[str]:
        import groq

        try:
            chunks = self._groq().chat.completions.create(
                model=self.model,
                messages=self._messages(prompt),
                max_tokens=prompt.max_tokens,
                temperature=prompt.temperature,
                stream=True,
            )
            for chunk in chunks:
                if chunk.choices and chunk.choices[0].delta.content:
                    yield chunk.choices[0].delta.content
        except groq.APIStatusError as exc:
            raise LLMError(f"HTTP {exc.status_code}") from None
        except groq.APIError as exc:
            raise LLMError(type(exc).__name__) from None
