"""The e-mail a volunteer gets once a coordinator approved them."""
import logging

from nightstay.accounts.mail import send_link

logger = logging.getLogger(__name__)


def send_welcome(user, hub) -> bool:
    """Welcome ``user`` to ``hub`` with a link to choose a password. False when the mail did not leave."""
    try:
        send_link(user, "volunteers/email/welcome", hub=hub, has_password=user.has_usable_password())
    except OSError as exc:  # SMTP down or refused: the coordinator is told, the approval stands
        logger.warning("welcome e-mail not sent (%s)", type(exc).__name__)
        return False
    return True
