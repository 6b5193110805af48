"""The one-tap answer page as a host sees it from the e-mail link: the question itself (what
is asked, by when), big yes and no, in the host's language unless this phone chose another."""
from __future__ import annotations

import time_machine
from django.conf import settings

from .test_still_on import StillOnTestCase, at


class AnswerPageTests(StillOnTestCase):
    def open_link(self, **cookies):
        self.tick(at(17, 0))
        link = self.link_in(self.mail_to(self.hugo))
        for name, value in cookies.items():
            self.client.cookies[name] = value
        with time_machine.travel(at(17, 5), tick=False):
            return link, self.client.get(link)

    def test_the_page_says_what_is_asked_and_by_when_without_the_link_or_the_sms_code(self):
        _link, page = self.open_link()
        self.assertContains(page, "you pledged 2 beds for tonight. Does it still hold?")
        self.assertContains(page, "Please answer by 18:00.")
        self.assertNotContains(page, "Answer with one tap")
        html = page.content.decode()
        question = html[html.index('class="question"'):html.index("</p>", html.index('class="question"'))]
        self.assertNotIn("://", question)  # the link itself is not repeated on its own page
        self.assertNotContains(page, "code " + self.asked()["Hugo"].reply_code)
        self.assertContains(page, 'class="answer"')

    def test_the_question_stays_above_the_thank_you(self):
        link, _page = self.open_link()
        with time_machine.travel(at(17, 6), tick=False):
            done = self.client.post(link, {"answer": "yes"})
        self.assertContains(done, "Thank you: your answer is yes.")
        self.assertContains(done, "Does it still hold?")

    def test_in_the_hosts_language_by_default(self):
        self.hugo.language = "fr"
        self.hugo.save(update_fields=["language"])
        _link, page = self.open_link()
        self.assertContains(page, '<html lang="fr"')
        self.assertContains(page, "Oui")

    def test_the_language_switch_at_the_foot_wins(self):
        self.hugo.language = "fr"
        self.hugo.save(update_fields=["language"])
        _link, page = self.open_link(**{settings.LANGUAGE_COOKIE_NAME: "nl"})
        self.assertContains(page, '<html lang="nl"')
        self.assertContains(page, "Ja")


class WhereToSetTheChannelTests(StillOnTestCase):
    def test_the_host_and_driver_pages_lead_to_how_we_reach_you(self):
        from django.urls import reverse

        for user, page in ((self.hugo, "host_tonight"), (self.dara, "driver_tonight")):
            self.log_in(user)
            r = self.client.get(reverse(page, args=["brussels"]))
            self.assertContains(r, f'href="{reverse("messaging:contact")}"', msg_prefix=page)
