"""Email and Telegram notifications: queued once with their state, sent with retries."""

from monitor.notify.delivery import DeliveryReport, deliver_pending
from monitor.notify.outbox import Addressee, Outbox

__all__ = ["Addressee", "DeliveryReport", "Outbox", "deliver_pending"]
