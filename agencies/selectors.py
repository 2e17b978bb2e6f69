"""Reads for agencies: resolving the names the plan writes to the agencies they mean."""

from __future__ import annotations

from .models import Agency, Collective, normalize_name


class UnknownAgencyName(ValueError):
    pass


class AgencyDirectory:
    """Resolves names as the plan writes them ("Sở Công thương", "Các sở, ngành, địa phương") to agencies.

    Built once per load from two queries, so resolving many names costs no further queries for agencies.
    """

    def __init__(self) -> None:
        self._agencies: dict[str, Agency] = {}
        for agency in Agency.objects.all():
            for name in [agency.name, agency.short_name, *agency.aliases]:
                if name:
                    self._agencies[normalize_name(name)] = agency
        self._collectives = {normalize_name(c.name): c for c in Collective.objects.prefetch_related("members")}
        self._resolved: dict[str, list[Agency]] = {}

    def resolve(self, name: str) -> list[Agency]:
        key = normalize_name(name)
        if key in self._agencies:
            return [self._agencies[key]]
        if key not in self._resolved:
            collective = self._collectives.get(key)
            if collective is None:
                raise UnknownAgencyName(f"Không xác định được cơ quan “{name}”.")
            self._resolved[key] = list(collective.resolve())
        return self._resolved[key]

    def resolve_all(self, names: list[str]) -> list[Agency]:
        seen: dict[int, Agency] = {}
        for name in names:
            for agency in self.resolve(name):
                seen.setdefault(agency.pk, agency)
        return list(seen.values())
