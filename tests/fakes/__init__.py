"""Test fakes: each subclasses the port it stands in for."""
