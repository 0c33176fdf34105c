"""Delivery of notifications: the outbox worker and its channels (e-mail over SMTP, SMS through ACS).

Nothing here imports messaging/: the worker reads outbox items through store/,
opens their sealed payloads with a function the composition root hands it, and
sends through the channel ports of `notify.ports`.
"""
