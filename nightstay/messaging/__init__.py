"""Messages to volunteers: one outbox, several channels, replies by one tap or a short code.

A message never carries an address, a guest's nickname or a ticket list: only a few words
and a link to the page that shows those to the person who must see them. Bodies are written
in the recipient's language when queued and stored sealed; a worker of the task queue
delivers them through the cheapest channel that reaches the volunteer (``channels``).
Messages of a night are purged with it; their counts are kept (``MessageCount``).
"""
