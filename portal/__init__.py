"""The recipient portal: server-rendered pages where people outside the organisation open, read and answer messages.

Every page works without JavaScript (a small script only improves: the BankID QR code renews itself); every state
change is a POST with a CSRF token; errors are plain sentences in the person's language (Swedish by default).
"""
