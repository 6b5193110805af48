"""Volunteer accounts: e-mail log-in without storing e-mails in the clear, Argon2, TOTP, lock-out."""
