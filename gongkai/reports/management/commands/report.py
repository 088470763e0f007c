"""`manage.py report parse|check|render|compare`: the `report` command under Django.

A thin adapter over gongkai.reports.command, which is free of Django (the
`gongkai report …` console script runs it without setting Django up). Here
its Failure becomes Django's CommandError with the same message and exit status.
"""

import os
import sys

from django.core.management.base import (
    BaseCommand,
    CommandError,
    CommandParser,
    handle_default_options,
)

from gongkai.reports import command


class ChineseParser(command.ChineseParser, CommandParser):
    """The command's Chinese argument errors, raised as CommandError under call_command."""

    def error(self, message):
        try:
            super().error(message)
        except command.Failure as exc:
            raise CommandError(str(exc), returncode=exc.returncode) from None


class Command(BaseCommand):
    help = command.HELP
    requires_system_checks = []
    suppressed_base_arguments = {
        "--version",
        "-v",
        "--verbosity",
        "--settings",
        "--pythonpath",
        "--traceback",
        "--no-color",
        "--force-color",
        "--skip-checks",
    }

    def create_parser(self, prog_name, subcommand, **kwargs):
        kwargs.setdefault("formatter_class", command.ChineseHelpFormatter)
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.__class__ = ChineseParser  # Chinese argument errors, also in subparsers
        command.localise(parser)
        return parser

    def add_arguments(self, parser):
        parser.__class__ = ChineseParser  # before the subparsers take its class
        command.add_arguments(parser)

    def run_from_argv(self, argv):
        """As Django's, but errors are printed in Chinese without an English prefix."""
        self._called_from_command_line = True
        namespace = self.create_parser(argv[0], argv[1]).parse_args(argv[2:])
        handle_default_options(namespace)
        options = vars(namespace)
        options.pop("args", None)
        try:
            self.execute(**options)
        except CommandError as exc:
            if str(exc):
                self.stderr.write(str(exc))
            sys.exit(exc.returncode)
        except BrokenPipeError:
            # The reader went away (e.g. `| head`): stop quietly, as Unix tools do.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(1)

    def handle(self, *args, action, **options):
        report = command.Report(
            lambda text: self.stdout.write(text, ending=""),
            lambda line: self.stderr.write(line, style_func=str),
        )
        try:
            report.run(action, **options)
        except command.Failure as exc:
            raise CommandError(str(exc), returncode=exc.returncode) from exc
