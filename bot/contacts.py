"""Whom to contact: the provider of a service for a municipality, with its contact.

Contacts come from ``bot/data/contacts.yml`` (each with its source for staff and the
public page a person can open) and, for the wellbeing services counties, from the
website domains of ``wellbeing_counties.csv``.
Where no contact for the city is on file, the route falls back to national services
that serve everyone (InfoFinland, Job Market Finland), never to a guessed address.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from bot.registry import Municipality, Registry

# Espoo and Kauniainen form employment area 1, served by Espoo (the Espoo seed).
ESPOO_AREA_CODE = "1"
CONTACT_KEYS = ("phone", "address", "url", "email")


@dataclass(frozen=True)
class Provider:
    """An organisation (its Finnish name as it names itself) and how to reach it.

    ``source`` is for staff; ``source_title`` and ``source_url`` name the public page a
    person can open to check the contact (contract §3), never a file name.
    """

    name: str
    contact: dict[str, str] = field(hash=False)
    source: str
    source_title: str
    source_url: str


def _provider(entry: dict[str, Any]) -> Provider:
    contact = {k: str(entry[k]) for k in CONTACT_KEYS if entry.get(k)}
    return Provider(
        entry["provider"], contact, entry["source"], entry["source_title"], str(entry["source_url"])
    )


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    text = resources.files("bot.data").joinpath("contacts.yml").read_text("utf-8")
    return yaml.safe_load(text)


def national(name: str) -> Provider:
    """A national service: trafficking_assistance, reception_services, emergency, ..."""
    return _provider(_data()["national"][name])


def _city(municipality: Municipality, service: str) -> Provider | None:
    entry = _data()["cities"].get(municipality.name_fi, {}).get(service)
    return _provider(entry) if entry else None


def _is_espoo_area(municipality: Municipality) -> bool:
    return municipality.employment_area_code == ESPOO_AREA_CODE


def route(
    kind: str, municipality: Municipality, registry: Registry, *, undocumented: bool = False
) -> Provider:
    """The provider of ``kind`` (a rule's ``provider``) for a person in ``municipality``."""
    data = _data()
    if kind == "employment_area":
        if _is_espoo_area(municipality):
            return _provider(data["espoo"]["employment_services"])
        city = _city(municipality, "employment_services")
        if city:
            return city
        area = data.get("employment_areas", {}).get(municipality.employment_area_code)
        if area:
            return _provider(area)
        portal = national("job_market_finland")
        return Provider(
            f"{municipality.employment_area_fi} (työllisyysalue)",
            portal.contact,
            "municipalities_extra.csv employment_area_2025 (StatFi työllisyysalue); " + portal.source,
            portal.source_title,
            portal.source_url,
        )
    if kind == "municipal_integration":
        if _is_espoo_area(municipality):
            return _provider(data["espoo"]["municipal_integration_services"])
        return _city(municipality, "municipal_integration_services") or _municipality(municipality)
    if kind == "guidance":
        return (
            _city(municipality, "general_guidance")
            or _city(municipality, "municipal_integration_services")
            or _municipality(municipality)
        )
    if kind == "county":
        if municipality.is_helsinki:
            key = "undocumented_phone" if undocumented else "integration_social_services"
            return _provider(data["helsinki"][key])
        county = registry.county_of(municipality)
        seed = data["counties"].get(county.code, {})
        return Provider(
            county.name_fi,
            {"url": county.website},
            seed.get("source") or "wellbeing_counties.csv website_domain (see its domain_evidence)",
            seed.get("source_title") or county.name_fi,
            seed.get("source_url") or county.website,
        )
    return national(kind)


def _municipality(municipality: Municipality) -> Provider:
    """The municipality itself, reached through InfoFinland's pages when no contact is on file."""
    info = national("infofinland")
    return Provider(municipality.name_fi, info.contact, info.source, info.source_title, info.source_url)
