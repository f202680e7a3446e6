"""Check digits of the personal numbers the PII rules mask and the corpus generator plants."""

from __future__ import annotations

# GB 11643-1999 (ISO 7064 MOD 11-2): weights of the first 17 digits, and the check character
# for each remainder of their weighted sum mod 11.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_check_char(first17: str) -> str:
    """The 18th character of a Chinese resident ID number whose first 17 digits are given."""
    return _ID_CHECK[sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS)) % 11]


def id_card_checksum_ok(number: str) -> bool:
    """Whether an 18-character resident ID number carries the right check character."""
    return len(number) == 18 and number[:17].isdigit() and id_check_char(number[:17]) == number[17].upper()


def luhn_ok(digits: str) -> bool:
    """The Luhn (mod 10) check of payment card numbers."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0
