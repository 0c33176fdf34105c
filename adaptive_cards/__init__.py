"""Adaptive Cards 1.5 for the Teams bot: pure builders from view models (views.py) to card dicts.

No I/O and no framework: the bot maps messaging/'s answers to views, calls a builder and sends the dict.
Words are in strings.py (Swedish first, English), action verbs in verbs.py, the escaping of user text and
Teams' limits (40 KB, six actions per set) in elements.py. `python -m adaptive_cards.golden --out DIR` writes
every card over golden data.
"""
