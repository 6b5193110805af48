"""Every registration counted once, and a tap that carries only what changed.

A phone retrying after a timeout, a registration whose answer was lost, a late sync after a
night without signal: the key the phone made travels with each, and the first ticket comes
back, never a second party. The answer is the new row, whatever the length of the queue.
"""
import json
import threading
import uuid
from datetime import datetime, timedelta
from unittest import mock, skipUnless
from zoneinfo import ZoneInfo

import time_machine
from django.db import connection
from django.template import Context, Template
from django.test import Client, TransactionTestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from nightstay.intake.models import BLOCK_FIRST, BLOCK_SIZE, DRAWN_FIRST, Party, TicketBlock

from .base import HubTestCase

TONIGHT = datetime(2026, 11, 24, 20, 0, tzinfo=ZoneInfo("Europe/Brussels"))
ONE_MAN = {"size_choice": "1", "gender": "m", "vulnerable_why": "", "nights_outside": "0"}
JSON = {"HTTP_ACCEPT": "application/json"}


@time_machine.travel(TONIGHT, tick=False)
class CountedOnceTests(HubTestCase):
    url = "/intake/brussels/"

    def setUp(self):
        self.night = self.hub.tonight()
        self.log_in(self.colette)

    def test_the_same_registration_posted_twice_makes_one_party(self):
        key = str(uuid.uuid4())
        first = self.client.post(self.url, {**ONE_MAN, "key": key}, **JSON)
        again = self.client.post(self.url, {**ONE_MAN, "key": key}, **JSON)
        self.assertEqual((first.status_code, again.status_code), (201, 200))
        self.assertEqual(first.json()["ticket"], again.json()["ticket"])
        self.assertEqual(again.json()["row"], "")  # nothing new for the list
        self.assertEqual(Party.objects.count(), 1)

    def test_a_replay_answers_with_the_first_ticket_on_every_path(self):
        key = str(uuid.uuid4())
        ticket = self.client.post(self.url, {**ONE_MAN, "key": key}, **JSON).json()["ticket"]
        htmx = self.client.post(self.url, {**ONE_MAN, "key": key, "gender": "f"}, HTTP_HX_REQUEST="true")
        self.assertContains(htmx, f'<p class="ticket big">{ticket}</p>', html=False)
        self.assertNotContains(htmx, "hx-swap-oob")  # no row added: it is already listed
        plain = self.client.post(self.url, {**ONE_MAN, "key": key}, follow=True)
        self.assertContains(plain, f'<p class="ticket big">{ticket}</p>', html=False)
        self.assertEqual(list(Party.objects.values_list("ticket", "gender")), [(ticket, "m")])

    def test_each_page_carries_a_fresh_key_so_a_plain_form_is_counted_once_too(self):
        html = self.client.get(self.url).content.decode()
        key = html.split('name="key" value="', 1)[1].split('"', 1)[0]
        self.assertEqual(str(uuid.UUID(key)), key)
        self.client.post(self.url, {**ONE_MAN, "key": key})
        self.client.post(self.url, {**ONE_MAN, "key": key})
        self.assertEqual(Party.objects.count(), 1)

    def test_a_key_used_in_another_hub_never_answers_with_its_party(self):
        key = uuid.uuid4()
        other_night = self.other_hub.tonight()
        Party.objects.create(night=other_night, ticket="AAAA", key=key, waiting_since=TONIGHT)
        r = self.client.post(self.url, {**ONE_MAN, "key": str(key)}, **JSON)
        self.assertEqual(r.status_code, 201)
        self.assertNotEqual(r.json()["ticket"], "AAAA")
        self.assertEqual(Party.objects.filter(night=self.night).count(), 1)

    def test_refused_input_answers_the_script_with_what_to_fix(self):
        r = self.client.post(self.url, {**ONE_MAN, "gender": "mixed", "key": str(uuid.uuid4())}, **JSON)
        self.assertEqual(r.status_code, 400)
        self.assertIn("One person alone", r.json()["errors"]["gender"][0])
        self.assertFalse(Party.objects.exists())


@time_machine.travel(TONIGHT, tick=False)
class TicketBlockTests(HubTestCase):
    url = "/intake/brussels/"

    def setUp(self):
        self.night = self.hub.tonight()

    def test_blocks_never_share_a_code_and_never_meet_a_drawn_code(self):
        blocks = [TicketBlock.for_holder(self.night, f"phone{n}") for n in range(30)]
        codes = [code for block in blocks for code in block.codes]
        self.assertEqual(len(codes), 30 * BLOCK_SIZE)
        self.assertEqual(len(set(codes)), len(codes))
        self.assertTrue(all(code[0] in BLOCK_FIRST and len(code) == 4 for code in codes))
        self.assertTrue(all(Party.new_ticket()[0] in DRAWN_FIRST for _ in range(200)))
        for block in blocks:
            self.assertEqual({TicketBlock.number_of(self.night, c) for c in block.codes}, {block.number})

    def test_the_page_hands_the_phone_its_block_and_the_server_accepts_its_codes(self):
        self.log_in(self.colette)
        html = self.client.get(self.url).content.decode()
        codes = html.split('data-codes="', 1)[1].split('"', 1)[0].split()
        self.assertEqual(len(codes), BLOCK_SIZE)
        self.assertEqual(codes, TicketBlock.objects.get().codes)
        self.assertIn(codes[0], self.client.get(self.url).content.decode())  # the same block on a reload
        r = self.client.post(self.url, {**ONE_MAN, "key": str(uuid.uuid4()), "ticket": codes[7]}, **JSON)
        self.assertEqual(r.json()["ticket"], codes[7])

    def test_a_code_from_no_block_handed_out_is_replaced(self):
        self.log_in(self.colette)
        r = self.client.post(self.url, {**ONE_MAN, "key": str(uuid.uuid4()), "ticket": "YYYY"}, **JSON)
        self.assertNotEqual(r.json()["ticket"], "YYYY")
        self.assertIn(r.json()["ticket"][0], DRAWN_FIRST)

    def test_a_taken_code_gets_another_ticket_rather_than_a_refusal(self):
        self.log_in(self.colette)
        code = TicketBlock.for_holder(self.night, "elsewhere").codes[0]
        Party.objects.create(night=self.night, ticket=code, waiting_since=TONIGHT)
        r = self.client.post(self.url, {**ONE_MAN, "key": str(uuid.uuid4()), "ticket": code}, **JSON)
        self.assertEqual(r.status_code, 201)
        self.assertNotEqual(r.json()["ticket"], code)

    def test_a_new_block_once_three_quarters_are_used(self):
        block = TicketBlock.for_holder(self.night, "phone")
        for code in block.codes[:BLOCK_SIZE * 3 // 4 - 1]:
            Party.objects.create(night=self.night, ticket=code, waiting_since=TONIGHT)
        self.assertEqual(TicketBlock.for_holder(self.night, "phone"), block)
        Party.objects.create(night=self.night, ticket=block.codes[-1], waiting_since=TONIGHT)
        self.assertNotEqual(TicketBlock.for_holder(self.night, "phone"), block)


@time_machine.travel(TONIGHT, tick=False)
class SmallAnswerTests(HubTestCase):
    url = "/intake/brussels/"

    def setUp(self):
        self.night = self.hub.tonight()
        self.log_in(self.colette)
        self.client.get(self.url)  # the phone has its block
        self.block = TicketBlock.objects.get().number

    def queue(self, n: int) -> None:
        Party.objects.bulk_create(
            Party(night=self.night, ticket=f"Q{i:03d}" if i < 1000 else f"R{i - 1000:03d}", size=2, gender="mixed",
                  nickname="Abebech", languages="ar,ti", waiting_since=self.night.start + timedelta(seconds=i))
            for i in range(Party.objects.count(), n))

    def register(self) -> tuple[int, object]:
        data = {**ONE_MAN, "key": str(uuid.uuid4()), "nickname": "Yonas", "block": self.block}
        with CaptureQueriesContext(connection) as queries:
            r = self.client.post(self.url, data, **JSON)
        self.assertEqual(r.status_code, 201)
        return len(queries), r

    def test_the_answer_is_the_new_row_under_2_kb_and_its_work_does_not_grow_with_the_queue(self):
        self.queue(10)
        with_ten, _r = self.register()
        self.queue(1000)
        with_a_thousand, r = self.register()
        self.assertEqual(with_a_thousand, with_ten)
        answer = r.json()
        self.assertEqual(answer["codes"], [])  # the phone's block is still good: no codes resent
        self.assertIn("1001 parties waiting", answer["head"])
        self.assertIn("Yonas", answer["row"])
        self.assertNotIn("Q001", r.content.decode())
        self.assertLess(len(r.content), 2048, len(r.content))

    def test_one_registration_takes_the_same_15_queries_with_one_or_a_thousand_waiting(self):
        # Who asks (session, user, second factor, hub, role), tonight, the phone's key, its code's
        # block, the insert (a savepoint, 3), tonight's version, the counts, the phone's block and
        # how much of it is used: nothing over the list, whatever its length.
        data = {**ONE_MAN, "block": self.block, "ticket": TicketBlock.objects.get().codes[0]}
        with self.assertNumQueries(15):
            self.assertEqual(self.client.post(self.url, {**data, "key": str(uuid.uuid4())}, **JSON).status_code, 201)
        self.queue(1000)
        data["ticket"] = TicketBlock.objects.get().codes[1]
        with self.assertNumQueries(15):
            r = self.client.post(self.url, {**data, "key": str(uuid.uuid4())}, **JSON)
        self.assertEqual(r.json()["ticket"], data["ticket"])
        self.assertIn("1001 parties waiting", r.json()["head"])

    def test_the_labels_read_as_django_would_write_them(self):
        party = Party(gender="mixed", vulnerable_why="woman", status="placed")
        self.assertEqual((party.get_gender_display(), party.get_vulnerable_why_display(), party.get_status_display()),
                         ("family / mixed", "woman alone", "placed"))
        with translation.override("fr"):
            self.assertEqual(party.get_gender_display(), str(Party.Gender.MIXED.label))
        self.assertEqual(Party(gender="x").get_gender_display(), "x")

    def test_the_boards_line_of_codes_is_drawn_in_one_pass_and_escaped(self):
        parties = [Party(ticket="KXRT", size=2, gender="f", vulnerable=True, status="placed"),
                   Party(ticket="<b>", size=1, gender="m")]
        line = Template('{% load parties %}{{ parties|codes:"placed" }}|{{ parties|codes }}').render(
            Context({"parties": parties}))
        self.assertEqual(line, '<span class="code">KXRT</span>&nbsp;2&nbsp;women⚠✓ '
                               '<span class="code">&lt;b&gt;</span>&nbsp;1&nbsp;men |'
                               '<span class="code">KXRT</span>&nbsp;2&nbsp;women⚠ '
                               '<span class="code">&lt;b&gt;</span>&nbsp;1&nbsp;men ')

    def test_the_list_shows_the_newest_20_and_all_on_request(self):
        self.queue(1000)
        page = self.client.get(self.url).content.decode()
        self.assertIn("1000 parties waiting", page)
        self.assertIn("Show all 1000", page)
        self.assertEqual(page.count('class="secondary">Left</button>'), 20)
        self.assertIn("Q999", page)
        self.assertNotIn("Q979", page)
        everything = self.client.get(self.url + "?all=1").content.decode()
        self.assertEqual(everything.count('class="secondary">Left</button>'), 1000)

    def test_the_kept_page_holds_no_list(self):
        self.queue(3)
        shell = self.client.get(self.url + "?shell=1").content.decode()
        self.assertNotIn("Q001", shell)
        self.assertIn("the list shows again when the signal returns", shell)
        self.assertIn('data-codes="', shell)


@time_machine.travel(TONIGHT, tick=False)
class TrapTests(HubTestCase):
    url = "/intake/brussels/"

    def setUp(self):
        self.log_in(self.colette)

    def test_six_plus_then_25_then_5_registers_five_with_no_hidden_error(self):
        r = self.client.post(self.url, {**ONE_MAN, "gender": "mixed", "size_choice": "5", "size_more": "25"},
                             HTTP_HX_REQUEST="true")
        self.assertNotContains(r, 'class="errorlist"')
        self.assertEqual(Party.objects.get().size, 5)

    def test_six_plus_with_no_count_is_refused_with_a_clear_message(self):
        r = self.client.post(self.url, {**ONE_MAN, "gender": "mixed", "size_choice": "6", "size_more": "",
                                        "nickname": "Saba"}, HTTP_HX_REQUEST="true")
        self.assertContains(r, "6 or more: type how many people.")
        self.assertContains(r, 'value="Saba"')
        self.assertFalse(Party.objects.exists())


class OfflineKeepingTests(HubTestCase):
    def test_the_service_worker_is_served_from_intake_and_names_the_pages_files(self):
        r = Client().get(reverse("intake:sw"))
        self.assertEqual(r["Content-Type"], "text/javascript")
        self.assertEqual(r["Cache-Control"], "no-cache")
        body = r.content.decode()
        for name in ("/static/nightstay/site.css", "/static/nightstay/intake.js", "/static/nightstay/htmx-2.0.11.min.js"):
            self.assertIn(f'"{name}"', body)
        self.assertTrue(reverse("intake:intake", args=["brussels"]).startswith(reverse("intake:sw").rsplit("/", 1)[0]))

    def test_the_panic_clears_this_phones_cache_and_storage(self):
        self.log_in(self.adele)
        r = self.client.post(reverse("panic", args=["brussels"]), {"confirm": "wipe"})
        self.assertEqual(r["Clear-Site-Data"], '"cache", "storage"')


@skipUnless(connection.vendor == "postgresql", "needs PostgreSQL (set DATABASE_URL): concurrent transactions")
@time_machine.travel(TONIGHT, tick=True)
class ConcurrentReplayTests(TransactionTestCase):
    def setUp(self):
        HubTestCase.setUpTestData.__func__(type(self))

    def test_two_copies_of_one_registration_at_once_make_one_party(self):
        clients = []
        for _ in range(2):
            client = Client()
            client.force_login(self.colette)
            session = client.session
            session["otp_device_id"] = self.colette.totpdevice_set.get().persistent_id
            session.save()
            clients.append(client)
        data = {**ONE_MAN, "key": str(uuid.uuid4()), "ticket": "YYYY"}  # a code to check: the moment both wait
        barrier, answers = threading.Barrier(2), [None, None]
        real_holds = TicketBlock.holds

        def holds_after_both_looked(*args):  # both copies have found no party with the key
            barrier.wait(timeout=10)
            return real_holds(*args)

        def post(n):
            try:
                answers[n] = clients[n].post("/intake/brussels/", data, **JSON)
            finally:
                connection.close()

        with mock.patch.object(TicketBlock, "holds", side_effect=holds_after_both_looked):
            threads = [threading.Thread(target=post, args=(n,)) for n in range(2)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        self.assertEqual(sorted(a.status_code for a in answers), [200, 201])
        self.assertEqual(len({json.loads(a.content)["ticket"] for a in answers}), 1)
        self.assertEqual(Party.objects.count(), 1)
