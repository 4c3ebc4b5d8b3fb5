"""The utility's own data as printed on agreements (name, NIT, address, representative).

Read from `settings.MORA_UTILITY` (a dict) merged over the defaults below, at call time and
never at import, so that a test or a deployment for another distributor can override any key
without touching code."""

from django.conf import settings

DEFAULTS: dict[str, str] = {
    "name": "Servicios Eléctricos de Tarija S.A. (SETAR)",
    "short_name": "SETAR",
    # Empty on purpose: a made-up NIT printed on a contract is worse than none. The documents
    # omit it until the deployment sets it.
    "nit": "",
    "address": "Calle Virginio Lema esq. Colón, Tarija",
    "city": "Tarija",
    "department": "Tarija",
    "unit_name": "Unidad de Mora",
    # Left blank, the contract prints a line to be filled by hand, which notaries accept; a
    # wrong name would make the representation clause void.
    "representative_name": "",
    "representative_id": "",
    "representative_title": "Jefe de la Unidad de Mora",
    # "Testimonio de Poder N° 123/2024 otorgado ante la Notaría de Fe Pública N° 1 de Tarija".
    "power_of_attorney": "",
}


def utility_profile() -> dict[str, str]:
    """Defaults with the keys of `settings.MORA_UTILITY` on top; unknown keys pass through so a
    template customised by the utility can use them."""
    configured = getattr(settings, "MORA_UTILITY", None) or {}
    profile = dict(DEFAULTS)
    profile.update({key: value for key, value in configured.items() if value is not None})
    return profile
