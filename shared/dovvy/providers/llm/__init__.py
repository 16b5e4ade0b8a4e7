"""LLM providers behind one small Protocol, and the fallback chain that tries them in order."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:
    from dovvy.config import Secret, Settings
    from dovvy.passages import Passage

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class Message:
    role: Literal["user", "assistant"]
    content: str


@dataclasses.dataclass(frozen=True)
class Prompt:
    """Everything a provider needs: the rendered system and messages for hosted models, and the
    structured question and passages for the offline composer."""

    system: str
    messages: tuple[Message, ...]
    question: str
    passages: tuple[Passage, ...]
    agent: str
    max_tokens: int = 700
    temperature: float = 0.2
    emphasis: str = ""  # the newest message, when the question continues an earlier one
    # Names of the places the question is about and of every other place (lower case): the offline
    # composer leaves out a sentence that names another place and none of the question's, so a
    # Tioman answer carries no line about Indonesia's chambers.
    here: tuple[str, ...] = ()
    elsewhere: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class Generation:
    text: str
    provider: str
    model: str
    hosted: bool = True  # a hosted model wrote it (False: the offline composer)


class LLMError(Exception):
    """A provider failed after its own retries; the message is safe to log (no prompt, no key)."""


class LLM(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def model(self) -> str: ...

    def generate(self, prompt: Prompt) -> Generation: ...

    def stream(self, prompt: Prompt) -> Iterator[str]: ...


class FallbackChain:
    """Try each provider in order; the first that answers wins. Streaming falls back only until
    the first token has been sent: after that, a failure ends the stream with an error. The chain
    is itself an `LLM`, so it can stand wherever one provider can."""

    def __init__(self, providers: Sequence[LLM]) -> None:
        if not providers:
            raise ValueError("at least one provider is needed")
        self.providers = list(providers)
        self.errors: list[str] = []

    @property
    def name(self) -> str:
        return self.providers[0].name

    @property
    def model(self) -> str:
        return self.providers[0].model

    @property
    def hosted(self) -> bool:
        """Whether any provider is a hosted model (each says so by its `hosted`; one that does not
        say is taken as hosted): the offline composer alone makes a chain that is not."""
        return any(getattr(provider, "hosted", True) for provider in self.providers)

    def generate(self, prompt: Prompt) -> Generation:
        errors = []
        for provider in self.providers:
            try:
                return provider.generate(prompt)
            except LLMError as exc:
                errors.append(f"{provider.name}: {exc}")
                log.warning(
                    "llm provider failed; trying the next",
                    extra={"provider": provider.name, "error": str(exc)},
                )
        raise LLMError("; ".join(errors))

    def stream(self, prompt: Prompt) -> Iterator[str]:
        for token, _ in self.stream_from(prompt):
            yield token

    def stream_from(self, prompt: Prompt) -> Iterator[tuple[str, Generation]]:
        """Yields (token, which provider is answering); the text in the metadata is empty."""
        errors = []
        for provider in self.providers:
            started = False
            try:
                for token in provider.stream(prompt):
                    started = True
                    yield (
                        token,
                        Generation("", provider.name, provider.model, getattr(provider, "hosted", True)),
                    )
                return
            except LLMError as exc:
                if started:
                    raise
                errors.append(f"{provider.name}: {exc}")
                log.warning(
                    "llm provider failed; trying the next",
                    extra={"provider": provider.name, "error": str(exc)},
                )
        raise LLMError("; ".join(errors))


def create_llm(settings: Settings) -> FallbackChain:
    """Providers in the order of LLM_PROVIDERS (default: every configured one, Groq first), always
    ending with the offline composer so an answer with sources is always possible."""
    from dovvy.providers import Connection
    from dovvy.providers.llm.offline import OfflineLLM

    hosted: dict[str, tuple[Secret | None, str, str | None]] = {
        "groq": (settings.groq_api_key, settings.groq_model, settings.groq_base_url),
        "gemini": (settings.gemini_api_key, settings.gemini_model, settings.gemini_base_url),
    }
    providers: list[LLM] = []
    for name in settings.llm_providers or ("groq", "gemini"):
        key, model, base_url = hosted.get(name, (None, "", None))
        if key is None:
            continue
        if not key.reveal().strip():
            # A secret that exists but holds nothing (a placeholder): the provider is off, said once.
            log.warning("model provider off: its API key is empty", extra={"provider": name})
            continue
        connection = Connection(key, base_url, settings.llm_timeout_seconds, settings.provider_max_retries)
        if name == "groq":
            from dovvy.providers.llm.groq import GroqLLM

            providers.append(GroqLLM(model, connection))
        else:
            from dovvy.providers.llm.gemini import GeminiLLM

            providers.append(GeminiLLM(model, connection))
    providers.append(OfflineLLM())
    return FallbackChain(providers)
