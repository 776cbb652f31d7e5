"""The `carnet` command: Django's management commands with Carnet's settings preset.

`carnet serve`, `carnet demo`, `carnet createuser` and `carnet token` are Carnet's own commands;
every other Django command (`carnet migrate`, `carnet check`, …) works as well.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carnet.settings")
    from django.core.management import execute_from_command_line

    from carnet.audit.context import Source, activity

    # What a command changes says it came from the command line, under one request id.
    with activity(Source.CLI):
        execute_from_command_line(["carnet", *sys.argv[1:]])


if __name__ == "__main__":
    main()
