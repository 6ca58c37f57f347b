"""Hostile files and careless writes: every command, no traceback, no lost byte, bounded memory."""
