"""Reads for agencies: the one lookup from what people write (a code, a name, a short name, an alias, a
collective name) to the agencies they mean. The plan loader and every spreadsheet import use it."""

from __future__ import annotations

from .models import Agency, Collective, normalize_name


class UnknownAgencyName(ValueError):
    pass


class AgencyDirectory:
    """Resolves what people write ("so-khcn", "Sở Công thương", "Các sở, ngành, địa phương") to agencies.

    Built once per load from two queries, so resolving many names costs no further queries for agencies.
    Names are compared without case, accents or spacing differences (``normalize_name``); a code always means
    its agency, whatever names look like it.
    """

    def __init__(self) -> None:
        self._agencies: dict[str, Agency] = {}
        agencies = list(Agency.objects.all())
        for agency in agencies:
            for name in [agency.name, agency.short_name, *agency.aliases]:
                if name:
                    self._agencies.setdefault(normalize_name(name), agency)
        for agency in agencies:
            self._agencies[normalize_name(agency.code)] = agency
        self._collectives = {normalize_name(c.name): c for c in Collective.objects.prefetch_related("members")}
        self._resolved: dict[str, list[Agency]] = {}

    def get(self, text: str) -> Agency:
        """The one agency written as ``text`` (code, name, short name or alias; not a collective name)."""
        agency = self._agencies.get(normalize_name(str(text)))
        if agency is None:
            raise UnknownAgencyName(f"Không tìm thấy cơ quan “{text}” (ghi mã, tên hoặc tên viết tắt của cơ quan).")
        return agency

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
