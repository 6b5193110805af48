"""The night's close and its anonymous figures."""
