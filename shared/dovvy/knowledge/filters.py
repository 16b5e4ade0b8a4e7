"""What a search may be limited to: document types, a destination, the diver's level."""

from __future__ import annotations

import dataclasses
from typing import Any

from dovvy import catalogue


@dataclasses.dataclass(frozen=True)
class Filters:
    doc_types: tuple[str, ...] = ()
    destination: str | None = None
    # The diver's level: documents needing a higher certification are left out.
    certification: str | None = None

    def sql(self) -> tuple[str, dict[str, Any]]:
        clauses: list[str] = []
        params: dict[str, Any] = {}
        if self.doc_types:
            clauses.append("(metadata ->> 'doc_type') = ANY(CAST(:doc_types AS text[]))")
            params["doc_types"] = list(self.doc_types)
        if self.destination:
            clauses.append("(metadata ->> 'destination') = :destination")
            params["destination"] = self.destination
        level = catalogue.level(self.certification)
        if level is not None:
            allowed = [lv.name for lv in catalogue.load().levels if lv.rank <= level.rank]
            clauses.append(
                "((metadata ->> 'min_certification') IS NULL "
                "OR (metadata ->> 'min_certification') = ANY(CAST(:allowed_certs AS text[])))"
            )
            params["allowed_certs"] = list(allowed)
        return "".join(f" AND {clause}" for clause in clauses), params
