from django.apps import AppConfig


class PledgesConfig(AppConfig):
    name = "nightstay.pledges"
    label = "pledges"

    def ready(self):
        from nightstay.messaging.clock import every_tick
        from nightstay.messaging.replies import on_answer

        from . import still_on

        # "Still on tonight?": asked at the hub's hours by the messaging clock; answered by link or SMS code.
        every_tick("still_on")(still_on.ask_due)
        for template in still_on.TEMPLATES.values():
            on_answer(template)(still_on.answered)
