"""The front page names one's roles in the reader's language, not as the database stores them."""
from django.test import override_settings
from django.utils import translation

from nightstay.hubs.views import ROLE_WORDS

from .base import HubTestCase


class RoleWordsTests(HubTestCase):
    def test_roles_are_words(self):
        self.log_in(self.adele)
        r = self.client.get("/")
        self.assertContains(r, "<p>hub admin, coordinator</p>", html=False)

    @override_settings(LANGUAGE_CODE="fr")
    def test_the_words_go_through_translation(self):
        with translation.override("fr"):
            french = str(ROLE_WORDS["driver"])
        self.assertNotEqual(french, "driver")
        self.log_in(self.dara)
        self.assertContains(self.client.get("/"), f"<p>{french}</p>", html=False)
