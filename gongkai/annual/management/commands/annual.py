"""`gongkai annual build --agency CODE --year YEAR`: the assembled annual report for
scripted use (issue 18).

Prints the report in the interchange format (annual-report-format.md), narrative
included, to standard output: the report written in the system (its approved snapshot
once locked), or, when none has been started, the draft the system would write from
the records (nothing is saved). Exit status 1 when the checker finds an error (the
findings are in the JSON), 2 for bad arguments.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils import timezone

from gongkai.agencies.models import Agency
from gongkai.annual import assembly, drafting, figures, workflow
from gongkai.annual.models import AnnualReport
from gongkai.reports.findings import has_errors
from gongkai.reports.render.jsonfmt import render_json


def _fail(message):
    return CommandError(message, returncode=2)


def build(agency, year):
    """The interchange dict of `agency`'s report for `year` (unsaved draft if none)."""
    annual = AnnualReport.objects.filter(agency=agency, year=year).first()
    if annual is None:
        problems = assembly.last_problems(agency, year)
        annual = AnnualReport(
            agency=agency,
            year=year,
            sections=drafting.draft(
                figures.gather(agency, year),
                agency_name=agency.name,
                year=year,
                last_year_problems=problems,
            ),
        )
    return assembly.assemble(annual)


class Command(BaseCommand):
    help = "年度报告：输出某机关某年度的年度报告（交换格式 JSON，含正文）；核对有错误时退出码为 1。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        b = sub.add_parser("build", help="输出年度报告的交换格式 JSON")
        b.add_argument("--agency", required=True, help="机关代码，例如 SFGAJ")
        b.add_argument("--year", required=True, type=int, help="报告年度，例如 2025")

    def handle(self, *args, action, **options):
        try:
            getattr(self, "do_" + action)(**options)
        except DatabaseError as exc:
            raise _fail(f"数据库不可用（{exc}）：请先运行 gongkai migrate。") from exc

    def do_build(self, *, agency, year, **options):
        found = Agency.objects.filter(code=agency).first()
        if found is None:
            codes = "、".join(Agency.objects.order_by("code").values_list("code", flat=True))
            raise _fail(f"机关代码“{agency}”不存在。现有机关代码：{codes or '（无）'}。")
        reason = workflow.check_year(year, timezone.localdate())
        if reason:
            raise _fail(reason)
        try:
            report = build(found, year)
        except assembly.StatsError as error:
            raise _fail(str(error)) from error
        self.stdout.write(render_json(report).decode("utf-8"), ending="")
        if has_errors(report.get("findings") or []):
            errors = sum(f["severity"] == "error" for f in report["findings"])
            self.stderr.write(f"核对发现 {errors} 个错误（见 JSON 的 findings）。")
            raise CommandError(f"核对发现 {errors} 个错误。", returncode=1)
