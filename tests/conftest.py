"""Real servers the suites share, each started once per test session on 127.0.0.1 and stopped at its end."""

pytest_plugins = ["tests.fixtures.cosmos", "tests.fixtures.azurite", "tests.fixtures.smtp"]
