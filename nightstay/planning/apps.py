from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "nightstay.planning"
    label = "planning"

    def ready(self):
        from nightstay.hubs.models import on_night_opened
        from nightstay.pledges.hooks import on_nights_taken_back
        from nightstay.privacy.registry import register_ending

        from .models import Stay
        from .stay_cuts import follow
        from .stays import bring_in, over

        register_ending(Stay, over)  # a stay is deleted once its last night is over, and in a panic
        on_night_opened(bring_in)  # a night opens with its stays' guests already at their hosts'
        on_nights_taken_back(follow)  # a host who cancels a night a stay holds ends the stay from it on
