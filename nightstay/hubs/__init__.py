"""Hubs (one meeting point and its network), who does what in each, and each hub's nights."""
