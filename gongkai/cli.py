"""The `gongkai` console script: a thin shell over Django's management commands.

`gongkai report parse FILE` runs the `report` command, `gongkai calendar load`
the `calendar` command, and so on. `gongkai report …` needs neither the database
nor the apps, so it runs gongkai.reports.command without setting Django up: that
set-up costs more than checking a few hundred reports (issue 16).
"""

import os
import sys


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["report"] and not any(
        arg.startswith(("--settings", "--pythonpath")) for arg in argv
    ):
        from gongkai.reports.command import main as report

        sys.exit(report(argv[1:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongkai.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["gongkai", *argv])


if __name__ == "__main__":
    main()
