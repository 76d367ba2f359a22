import pytest
from django.core.exceptions import ValidationError

from membership.validators import rsin_is_valid, validate_gemeentecode, validate_kvk, validate_oin


def test_eindhovens_oin_is_valid():
    validate_oin("00000001001902763000")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("123", "precies 20 cijfers"),
        ("0000000100190276300A", "precies 20 cijfers"),
        ("00000001001902764000", "geen geldig RSIN"),  # one digit off fails the elfproef
        ("00000001001902763001", "geen geldig RSIN"),  # must end in 000
    ],
)
def test_bad_oins_are_refused_in_dutch(value, message):
    with pytest.raises(ValidationError, match=message):
        validate_oin(value)


def test_rsin_elfproef():
    assert rsin_is_valid("001902763")
    assert not rsin_is_valid("001902764")
    assert not rsin_is_valid("12345678")


def test_kvk_has_eight_digits():
    validate_kvk("68750110")
    with pytest.raises(ValidationError, match="8 cijfers"):
        validate_kvk("6875011")


def test_gemeentecode_is_gm_and_four_digits():
    validate_gemeentecode("GM0772")
    for bad in ("GM772", "0772", "gm0772", "GM07721"):
        with pytest.raises(ValidationError, match="geen geldige CBS-gemeentecode"):
            validate_gemeentecode(bad)
