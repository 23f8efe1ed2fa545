"""lantu simulate-check: the command name users type (see simulate_check)."""

from lantu.simulator.management.commands.simulate_check import Command

__all__ = ["Command"]
