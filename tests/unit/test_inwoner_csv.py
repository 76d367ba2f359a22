from hypothesis import given
from hypothesis import strategies as st

from membership.inwoner_csv import decode, parse_count, parse_inwoner_csv, parse_year


def test_a_plain_file_is_read():
    result = parse_inwoner_csv("gemeentecode;jaar;inwoners\nGM0772;2027;239.123\nGM0757;2027;31000\n")
    assert result.errors == []
    assert [(r.regel, r.gemeente, r.jaar, r.aantal) for r in result.rows] == [
        (2, "GM0772", 2027, 239123),
        (3, "GM0757", 2027, 31000),
    ]


def test_statline_headers_commas_and_provisional_years_are_understood():
    text = (
        '\ufeff"Regio\'s","Perioden","Bevolking op 1 januari (aantal)"\n'
        '"GM0772","2026*","240.001"\n'
        '"GM0772","2025JJ00","238.500"\n'
    )
    result = parse_inwoner_csv(text)
    assert result.errors == []
    assert [(r.jaar, r.aantal, r.status) for r in result.rows] == [(2026, 240001, "voorlopig"), (2025, 238500, None)]


def test_every_bad_row_is_reported_with_its_line_number():
    text = (
        "gemeentecode;jaar;inwoners\n"
        "GM0772;2027;-5\n"
        "GM0757;twintig;100\n"
        "GM0845;2027;12,5\n"
        "GM0632;2027;51.500\n"
        "GM0632;2027;51.600\n"
        ";2027;100\n"
    )
    result = parse_inwoner_csv(text)
    assert [r.regel for r in result.rows] == [5]
    assert result.errors == [
        "Regel 2: negatief aantal inwoners '-5'.",
        "Regel 3: 'twintig' is geen geldig jaar.",
        "Regel 4: '12,5' is geen geldig aantal inwoners.",
        "Regel 6: GM0632 2027 staat dubbel in het bestand (ook op regel 5).",
        "Regel 7: gemeentecode ontbreekt.",
    ]


def test_a_file_without_the_needed_columns_names_what_is_missing():
    result = parse_inwoner_csv("naam;aantal\nEindhoven;5\n")
    assert result.rows == []
    assert result.errors[0].startswith("Kopregel: kolom ontbreekt: gemeentecode, jaar")


def test_an_empty_file_is_an_error():
    assert parse_inwoner_csv("").errors == ["Het bestand is leeg of heeft geen kopregel."]
    assert parse_inwoner_csv("code;jaar;inwoners\n").errors == ["Het bestand bevat geen gegevensregels."]


def test_windows_1252_files_are_decoded():
    assert decode("Súdwest-Fryslân".encode("cp1252")) == "Súdwest-Fryslân"


@given(st.integers(min_value=0, max_value=10**9))
def test_dutch_thousands_separators_read_back_to_the_same_number(n):
    dutch = f"{n:,}".replace(",", ".")
    assert parse_count(dutch) == n
    assert parse_count(str(n)) == n


@given(st.integers(min_value=1900, max_value=2100))
def test_years_in_every_statline_form(year):
    assert parse_year(str(year)) == (year, False)
    assert parse_year(f"{year}JJ00") == (year, False)
    assert parse_year(f"{year}*") == (year, True)


def test_a_comma_in_a_number_of_a_comma_separated_file_is_an_error_not_a_smaller_number():
    result = parse_inwoner_csv("gemeentecode,jaar,inwoners\nGM0757,2027,239,123\nGM0772,2027,5\n")
    assert [r.gemeente for r in result.rows] == ["GM0772"]
    assert result.errors == ["Regel 2: meer kolommen dan de kopregel (staat er een komma in een getal?)."]


def test_an_unclosed_quote_is_reported_not_a_crash():
    result = parse_inwoner_csv('code;jaar;inwoners\n"GM0772;2027;5\n' + "x" * 140_000 + "\n")
    assert result.errors and "geen geldige CSV" in result.errors[0]


def test_line_numbers_follow_the_file_after_a_quoted_line_break():
    result = parse_inwoner_csv('code;jaar;inwoners;opmerking\nGM0772;2027;5;"twee\nregels"\nGM0757;2027;-1;\n')
    assert result.errors == ["Regel 4: negatief aantal inwoners '-1'."]


def test_utf16_excel_exports_are_read():
    data = "code\tjaar\tinwoners\nGM0772\t2027\t239.123\n".encode("utf-16")
    result = parse_inwoner_csv(decode(data))
    assert [(r.gemeente, r.aantal) for r in result.rows] == [("GM0772", 239_123)]


def test_non_ascii_digits_are_not_numbers():
    assert parse_inwoner_csv("code;jaar;inwoners\nGM0772;2027;１２３\n").errors == [
        "Regel 2: '１２３' is geen geldig aantal inwoners."
    ]
