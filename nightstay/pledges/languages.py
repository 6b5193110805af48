"""Languages offered as chips to hosts (what they speak) and at intake (what a party speaks).

Each is shown in its own script so that a speaker recognises it; codes are ISO 639-1, as in
the night format. The order is the one the Brussels park heard most in 2017-18.
"""

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
