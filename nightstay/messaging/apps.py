from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "nightstay.messaging"
    label = "messaging"

    def ready(self):
        from django.contrib.auth.signals import user_logged_out

        from nightstay.privacy.registry import before_night_purge, on_panic

        from . import checks  # noqa: F401  (registers the push and SMS set-up checks)
        from .counts import forget_tasks, keep_counts
        from .outfiles import clear_night
        from .push_forget import forget_members, forget_on_logout

        # A night's messages go with its rows; how many went, by which channel, stays.
        before_night_purge(keep_counts)
        before_night_purge(forget_tasks)  # the task queue's rows that name its messages
        before_night_purge(clear_night)  # and the laptop's SMS and e-mail files with them
        # A phone logged out, or the hub's phones in a panic, get no more pushed messages.
        on_panic(forget_members)
        user_logged_out.connect(forget_on_logout, dispatch_uid="messaging.forget_push_on_logout")
