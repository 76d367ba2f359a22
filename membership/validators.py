import re

from django.core.exceptions import ValidationError

GEMEENTE_CODE_RE = re.compile(r"^GM\d{4}$")
GEMEENTE_OIN_PREFIX = "00000001"


def validate_gemeentecode(value: str) -> None:
    if not GEMEENTE_CODE_RE.match(value or ""):
        raise ValidationError(f"'{value}' is geen geldige CBS-gemeentecode (GM gevolgd door 4 cijfers, bijv. GM0772).")


def validate_kvk(value: str) -> None:
    if not re.fullmatch(r"\d{8}", value or ""):
        raise ValidationError("Een KvK-nummer bestaat uit precies 8 cijfers.")


def rsin_is_valid(rsin: str) -> bool:
    """The elfproef for an RSIN/BSN-style number of 9 digits."""
    if not re.fullmatch(r"\d{9}", rsin):
        return False
    digits = [int(c) for c in rsin]
    total = sum(d * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True)) - digits[8]
    return total % 11 == 0


def validate_oin(value: str) -> None:
    """An OIN has 20 digits; one derived from an RSIN (gemeenten and other
    government bodies: 00000001 + RSIN + 000) must carry a valid RSIN."""
    if not re.fullmatch(r"\d{20}", value or ""):
        raise ValidationError("Een OIN bestaat uit precies 20 cijfers.")
    if value.startswith(GEMEENTE_OIN_PREFIX):
        rsin = value[8:17]
        if value[17:] != "000" or not rsin_is_valid(rsin):
            raise ValidationError(
                "Dit OIN begint met 00000001 maar bevat geen geldig RSIN (00000001 + RSIN van 9 cijfers + 000)."
            )
