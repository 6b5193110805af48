"""Volunteer sign-up ("easy and practical") and the coordinators' vetting queue."""
