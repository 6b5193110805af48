"""Languages offered as chips to hosts (what they speak) and at intake (what a party speaks).

Each is shown in its own script so that a speaker recognises it; codes are ISO 639-1, as in
the night format. The order is the one the Brussels park heard most in 2017-18.
"""
from babel import Locale, UnknownLocaleError

SPOKEN = [
    ("ar", "العربية"),
    ("ti", "ትግርኛ"),
    ("am", "አማርኛ"),
    ("om", "Oromoo"),
    ("so", "Soomaali"),
    ("fa", "فارسی"),
    ("ps", "پښتو"),
    ("ku", "Kurdî"),
    ("en", "English"),
    ("fr", "Français"),
    ("nl", "Nederlands"),
    ("es", "Español"),
    ("it", "Italiano"),
    ("de", "Deutsch"),
]


def names(codes: str | list[str], reader: str) -> str:
    """A party's or a host's languages as words in the reader's language ("so,ar" becomes
    "Somali, Arabic" for an English-reading driver, "somali, arabe" for a French one), from the
    Unicode CLDR names Babel carries; an unknown code stays as it is rather than vanish."""
    if isinstance(codes, str):
        codes = [code for code in codes.split(",") if code.strip()]
    try:
        known = Locale.parse(reader.replace("-", "_")).languages
    except (ValueError, UnknownLocaleError):
        known = Locale("en").languages
    return ", ".join(known.get(code.strip(), code.strip()) for code in codes)
