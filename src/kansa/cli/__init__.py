"""Command-line interface (Typer + Rich). Each ``*_cmds`` module registers its own commands."""
