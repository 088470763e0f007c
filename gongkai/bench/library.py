"""The report library at scale (`make bench`, issue 19). Needs PostgreSQL.

(a) Import 10,000 text reports (parse in the sandbox, check, store) with the code of
    `gongkai library import` (collecting.import_paths: read on every core, stored and
    checked in order): reports per second, CPU per report.
(b) A library of 100,000 reports (10,000 agencies × 10 years, bulk-created rows with
    varied figures, their aggregates computed by aggregates.values_for): the region
    dashboard p95 (goal < 500 ms) and one agency's year-on-year page p95 (< 100 ms),
    with the CPU time per request of this process (the database's is on its side).
(c) Re-check all 100,000 (as after a rule change) on every core, as `gongkai library
    recheck` does: the time (GONGKAI_BENCH_LIBRARY_RECHECK=N re-checks whole batches of
    about N reports chosen at random and projects the time; 0 skips it).
GONGKAI_BENCH_LIBRARY_IMPORT=0 skips (a).
The bench data lives under its own directory roots (基准省, 基准导入) and is kept
between runs. GONGKAI_BENCH_LIBRARY sets the library size (default 100,000).
"""

import copy
import hashlib
import os
import random
import resource
import statistics
import tempfile
import time
from pathlib import Path

from django.db import connection, transaction
from django.db.models import Q

from gongkai.library import aggregates, collecting, crosscheck, parallel
from gongkai.library.aggregates import ReportFigures
from gongkai.library.models import Kind, Level, LibraryAgency, LibraryReport, Status
from gongkai.reports import engine
from gongkai.reports.render import render

SEEDS = Path(__file__).parents[1] / "reports" / "tests" / "testdata"
COUNT = int(os.environ.get("GONGKAI_BENCH_LIBRARY", 100_000))
IMPORT_COUNT = int(os.environ.get("GONGKAI_BENCH_LIBRARY_IMPORT", 10_000))
YEARS = tuple(range(2015, 2025))
CITIES = 100
RUNS = 60
ROOT = "基准省"
IMPORT_ROOT = "基准导入"
IMPORT_CITIES = 10


def _pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def _load():
    return os.getloadavg()[0]


def _agency(name, parent, kind, level):
    agency, _ = LibraryAgency.objects.get_or_create(
        name=name, defaults={"parent": parent, "kind": kind, "level": level}
    )
    return agency


def ensure_directory(reporting):
    """基准省 → CITIES 市人民政府 → departments: `reporting` reporting agencies."""
    root = _agency(ROOT, None, Kind.REGION, Level.PROVINCE)
    have = LibraryAgency.objects.filter(path__startswith=root.path).exclude(pk=root.pk).count()
    if have >= reporting:
        return root
    per_city = reporting // CITIES - 1
    with transaction.atomic():
        for c in range(CITIES):
            city = _agency(f"基准{c:03d}市人民政府", root, Kind.GOVERNMENT, Level.CITY)
            rows = [
                LibraryAgency(name=f"基准{c:03d}市第{d:03d}局", parent=city, level=Level.CITY)
                for d in range(per_city)
            ]
            made = LibraryAgency.objects.bulk_create(rows, ignore_conflicts=True)
            for agency in LibraryAgency.objects.filter(parent=city, path=""):
                agency.save()  # the materialised path
            del made
    return root


def _bases():
    """Three report dicts (2008, 2019 and 2021 formats) the bulk reports vary."""
    by_template = {}
    for path in sorted(SEEDS.glob("*.txt")):
        data = engine.analyse_file(path)
        by_template.setdefault(data["template"], data)
    for data in by_template.values():
        data["narrative"] = {k: v[:200] for k, v in (data.get("narrative") or {}).items()}
        data["findings"] = []
    return by_template


def _vary(base, year, rng):
    data = copy.deepcopy(base)
    data["year"] = year
    data["published"] = f"{year + 1}-01-{rng.randint(5, 31) if rng.random() < 0.9 else 28:02d}"
    if rng.random() < 0.08:
        data["published"] = f"{year + 1}-02-{rng.randint(1, 27):02d}"  # late
    if data["template"] == "2008":
        data["legacy"]["received"] = rng.randint(0, 400)
        return data
    n = int(rng.lognormvariate(3, 1.2))
    granted = rng.randint(0, n)
    partial = rng.randint(0, n - granted)
    denied = rng.randint(0, n - granted - partial)
    unavailable = n - granted - partial - denied
    requests = data["requests"]
    for row in requests.values():
        for col in row:
            row[col] = 0
    for key, value in (("new", n), ("granted", granted), ("partial", partial),
                       ("denied.third_party", denied), ("unavailable.not_held", unavailable),
                       ("total", n)):  # fmt: skip
        requests[key]["natural_person"] = requests[key]["total"] = value
    if rng.random() < 0.05:
        requests["total"]["total"] += 1  # a misprint: the checks find it
    t = rng.randint(0, 6)
    k = rng.randint(0, t)
    data["appeals"]["reconsideration"].update(
        total=t, corrected=k, upheld=t - k, other=0, pending=0
    )
    for row in data["proactive"].values():
        for col in row:
            if isinstance(row[col], int):
                row[col] = rng.randint(0, 500)
    return data


def ensure_library(root):
    """COUNT filed reports under `root`, bulk-created with their aggregates."""
    agencies = list(
        LibraryAgency.objects.filter(path__startswith=root.path)
        .exclude(kind=Kind.REGION)
        .values_list("pk", flat=True)
        .order_by("pk")
    )
    reports = LibraryReport.objects.filter(agency__path__startswith=root.path)
    have = reports.count()
    if have >= COUNT:
        print(f"年报库已有 {have} 份基准报告，跳过生成。")
        return
    bases, rng = _bases(), random.Random(have)
    known = set(reports.values_list("agency_id", "year"))
    pairs = [(a, y) for y in YEARS for a in agencies if (a, y) not in known][: COUNT - have]
    started = time.perf_counter()
    for i in range(0, len(pairs), 2000):
        rows = []
        for agency_id, year in pairs[i : i + 2000]:
            template = "2021" if year >= 2021 else "2019" if year >= 2019 else "2008"
            data = _vary(bases[template], year, rng)
            sha = hashlib.sha256(f"bench-{agency_id}-{year}".encode()).hexdigest()
            rows.append(
                LibraryReport(
                    sha256=sha, original=f"library/bench/{sha}.txt", filename=f"{sha[:8]}.txt",
                    size=4000, status=Status.FILED, agency_id=agency_id, year=year,
                    printed_year=year, parsed=data, current=data,
                )
            )  # fmt: skip
        with transaction.atomic():
            made = LibraryReport.objects.bulk_create(rows)
            ReportFigures.objects.bulk_create(
                ReportFigures(report=r, counted=True, **aggregates.values_for(r)) for r in made
            )
        done = i + len(rows)
        rate = done / (time.perf_counter() - started)
        print(f"  已生成 {have + done}/{COUNT} 份（{rate:.0f} 份/秒）", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE library_libraryreport")
        cursor.execute("ANALYZE library_reportfigures")
        cursor.execute("ANALYZE library_libraryagency")


def _children_cpu():
    """CPU seconds of this process's finished children (the re-check's pool workers)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _import_directory():
    """基准导入 → 10 市人民政府 → departments: IMPORT_COUNT / 10 years agencies, so that
    every imported file is a distinct agency-year (a second file of one would wait in
    the queue as a possible duplicate)."""
    root = _agency(IMPORT_ROOT, None, Kind.REGION, Level.PROVINCE)
    per_city = max(1, IMPORT_COUNT // len(YEARS) // IMPORT_CITIES)
    names = []
    for c in range(IMPORT_CITIES):
        city = _agency(f"导入{c:02d}市人民政府", root, Kind.GOVERNMENT, Level.CITY)
        names.append(city.name)
        for d in range(per_city - 1):
            names.append(
                _agency(f"导入{c:02d}市第{d:03d}局", city, Kind.DEPARTMENT, Level.CITY).name
            )
    return root, names


def _import_texts(names):
    """IMPORT_COUNT report texts, one per agency and year (the seeds' three formats,
    varied figures), in a random order as files arrive."""
    bases, rng = _bases(), random.Random(11)
    pairs = [(name, year) for name in names for year in YEARS][:IMPORT_COUNT]
    rng.shuffle(pairs)
    for name, year in pairs:
        template = "2021" if year >= 2021 else "2019" if year >= 2019 else "2008"
        data = _vary(bases[template], year, rng)
        data["agency"] = name
        yield render(data, "txt").decode("utf-8")


def bench_import():
    """The import `gongkai library import` does (collecting.import_paths) of
    IMPORT_COUNT text reports of 1,000 agencies × 10 years under 基准导入, into an empty
    part of the library (the previous run's reports there are deleted first)."""
    root, names = _import_directory()
    old = LibraryReport.objects.filter(Q(agency__path__startswith=root.path) | Q(collector=root))
    if old.exists():
        print(f"删除上次导入的 {old.count()} 份基准报告……", flush=True)
        old.delete()
    workers = os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="gongkai-bench-library-") as tmp:
        paths = []
        for i, text in enumerate(_import_texts(names)):
            path = Path(tmp, f"{i:05d}.txt")
            path.write_text(text, encoding="utf-8")
            paths.append(path)
        last = [time.perf_counter()]

        def progress(done):
            if time.perf_counter() - last[0] > 60:
                last[0] = time.perf_counter()
                print(f"  已导入 {done}/{len(paths)} 份（负载 {_load():.1f}）", flush=True)

        load, started = _load(), time.perf_counter()
        cpu = time.process_time()
        outcomes = collecting.import_paths(
            paths, collector=root, workers=workers, progress=progress
        )
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu
    counts = {}
    for o in outcomes:
        counts[o.result] = counts.get(o.result, 0) + 1
    names = {"filed": "归档", "queued": "待指定", "unreadable": "无法读取", "same": "已在库中"}
    summary = "，".join(f"{names.get(k, k)} {n}" for k, n in sorted(counts.items()))
    n = len(outcomes)
    print(
        f"导入（gongkai library import 的代码：沙箱读取+检查+入库）：{n} 份文本年报，"
        f"同时读取 {workers} 份，{seconds:.1f} 秒，{n / seconds:.1f} 份/秒（{summary}）；"
        f"每份 CPU：入库与检查进程 {cpu / n * 1000:.0f} 毫秒（沙箱读取进程与数据库的另计）；"
        f"开始时负载 {load:.1f}，结束时 {_load():.1f}"
    )


def _timed(client, urls):
    times, cpus = [], []
    client.get(urls[0])  # warm up
    for url in urls:
        cpu, started = time.process_time(), time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{url} 返回 {response.status_code}")
    return times, cpus


def _client():
    from django.contrib.auth.models import Permission, User
    from django.test import Client

    user, _ = User.objects.get_or_create(username="bench-researcher")
    user.user_permissions.add(Permission.objects.get(codename="research"))
    client = Client()
    client.force_login(user)
    return client


def _report(name, times, cpus, goal):
    p95 = _pct(times, 95)
    verdict = "达到" if p95 < goal else "未达到"
    print(
        f"{name}：{len(times)} 次，p50 {statistics.median(times):.0f} 毫秒，p95 {p95:.0f} 毫秒，"
        f"最慢 {max(times):.0f} 毫秒（目标 p95 < {goal} 毫秒，{verdict}）；本进程 CPU 每次 "
        f"p50 {statistics.median(cpus):.0f} 毫秒；负载 {_load():.1f}"
    )


def bench_pages(root):
    rng = random.Random(5)
    client = _client()
    cities = list(LibraryAgency.objects.filter(parent=root).values_list("pk", flat=True))
    urls = []
    for _ in range(RUNS):
        region = root.pk if rng.random() < 0.5 else rng.choice(cities)
        urls.append(f"/library/dashboard/?region={region}&year={rng.choice(YEARS)}")
    _report("地区统计看板（一半为全省 1 万个机关，一半为某市）", *_timed(client, urls), 500)
    agencies = list(
        ReportFigures.objects.filter(agency__path__startswith=root.path)
        .values_list("agency_id", flat=True)
        .distinct()[:5000]
    )
    urls = [f"/library/agency/{rng.choice(agencies)}/" for _ in range(RUNS * 2)]
    _report("单个机关历年对比页面", *_timed(client, urls), 100)


def bench_recheck(root):
    """Re-check the library under `root` as `gongkai library recheck` does (whole groups
    of one supervisor and year per batch, parallel.recheck). GONGKAI_BENCH_LIBRARY_RECHECK
    =N re-checks randomly chosen whole batches of about N reports and projects."""
    ids = LibraryReport.objects.filter(agency__path__startswith=root.path).values_list(
        "pk", flat=True
    )
    batches = crosscheck.recheck_batches(list(ids))
    total = sum(len(b) for b in batches)
    sample = os.environ.get("GONGKAI_BENCH_LIBRARY_RECHECK", "all")
    if sample.isdigit() and int(sample) < total:  # a sample: the time for all is projected
        random.Random(9).shuffle(batches)
        chosen, n = [], 0
        for batch in batches:
            if n >= int(sample):
                break
            chosen.append(batch)
            n += len(batch)
        batches = chosen
        print(f"（抽取 {len(batches)} 批共 {n} 份重新检查，按此推算全部 {total} 份的用时）")
    workers = os.cpu_count() or 1
    load, started = _load(), time.perf_counter()
    children = _children_cpu()
    last = [started]

    def progress(done):
        if time.perf_counter() - last[0] > 60:
            last[0] = time.perf_counter()
            print(f"  已重新检查 {done} 份（负载 {_load():.1f}）", flush=True)

    done = parallel.recheck(batches, workers=workers, progress=progress)
    seconds = time.perf_counter() - started
    children = _children_cpu() - children
    print(
        f"规则变更后重新检查 {done} 份报告：{workers} 个进程，{seconds:.0f} 秒"
        f"（{done / seconds:.1f} 份/秒；全部 {total} 份约 {total / (done / seconds) / 60:.1f} 分钟）；"
        f"每份 CPU {children / done * 1000:.0f} 毫秒（工作进程，数据库的另计）；"
        f"开始时负载 {load:.1f}，结束时 {_load():.1f}"
    )


def run():
    if connection.vendor != "postgresql":
        print("年报库基准测试需要 PostgreSQL：请设置 DATABASE_URL=postgres://… 后再运行。")
        return
    if IMPORT_COUNT:
        bench_import()
    root = ensure_directory(COUNT // len(YEARS))
    ensure_library(root)
    bench_pages(root)
    if os.environ.get("GONGKAI_BENCH_LIBRARY_RECHECK", "all") != "0":
        bench_recheck(root)
