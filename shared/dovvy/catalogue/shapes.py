"""The shapes the catalogue's files are checked against when they are first read."""

from __future__ import annotations

from dovvy.shape import ListOf, Shape, Text, Whole

NAMES = ListOf(Text())

CERTIFICATIONS = Shape(
    {
        "agencies": ListOf(Text(), min_items=1),
        "levels": ListOf(
            Shape(
                {
                    "name": Text(min_length=1),
                    "code": Text(min_length=1, max_length=20),
                    "depth_limit_m": Whole(ge=0, le=130),
                    "aliases": NAMES,
                },
                required=frozenset({"name", "code", "depth_limit_m"}),
                not_null=frozenset({"aliases"}),
            ),
            min_items=2,
        ),
    },
    required=frozenset({"agencies", "levels"}),
)

CONTACTS = {
    "emergency": Text(min_length=1),
    "diving_line": Text(min_length=1),
    "coast_guard": Text(min_length=1),
}
EMERGENCY = Shape(
    {
        "default": Shape(CONTACTS, required=frozenset(CONTACTS)),
        "countries": ListOf(
            Shape(
                {
                    **CONTACTS,
                    "code": Text(pattern=r"^[a-z-]+$"),
                    "name": Text(min_length=1),
                    "chambers": NAMES,
                    "places": NAMES,
                },
                required=frozenset({*CONTACTS, "code", "name"}),
                not_null=frozenset({"chambers", "places"}),
            ),
            min_items=1,
        ),
    },
    required=frozenset({"default", "countries"}),
)

# Only the naming fields; the seed (dovvy.seed) checks the rest of each destination.
DESTINATIONS = Shape(
    {
        "destinations": ListOf(
            Shape(
                {
                    "code": Text(),
                    "name": Text(),
                    "display_name": Text(),
                    "country": Text(),
                    "aliases": NAMES,
                    "sites": ListOf(
                        Shape(
                            {"name": Text(), "aliases": NAMES}, required=frozenset({"name"}), extra="ignore"
                        )
                    ),
                },
                required=frozenset({"code", "name", "country"}),
                not_null=frozenset({"aliases", "sites"}),
                extra="ignore",
            ),
            min_items=1,
        )
    },
    required=frozenset({"destinations"}),
)
