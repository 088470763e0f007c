"""One 申请登记簿 export in a process of its own, so that the peak RSS it reports is
this export's: `python -m gongkai.bench._export_child FMT FROM TO USERNAME OUT`.

Logs in USERNAME, downloads /cases/export/FMT/ for cases received FROM..TO through the
real view (the streamed response consumed chunk by chunk into OUT) and prints one JSON
line: seconds, bytes, and ru_maxrss (KiB) before and after the export.
"""

import json
import os
import resource
import sys
import time


def _maxrss_kib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main(fmt, start, end, username, out):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongkai.settings")
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.test import Client

    client = Client()
    client.force_login(User.objects.get(username=username))
    client.get("/cases/", {"received_from": start, "received_to": start})  # imports, warm
    before = _maxrss_kib()
    started, cpu = time.perf_counter(), time.process_time()
    response = client.get(f"/cases/export/{fmt}/", {"received_from": start, "received_to": end})
    if response.status_code != 200:
        raise SystemExit(f"导出返回 {response.status_code}")
    size = 0
    with open(out, "wb") as handle:
        for chunk in response.streaming_content:
            size += len(chunk)
            handle.write(chunk)
    response.close()
    print(
        json.dumps(
            {
                "seconds": time.perf_counter() - started,
                "cpu_seconds": time.process_time() - cpu,
                "bytes": size,
                "rss_before_kib": before,
                "rss_peak_kib": _maxrss_kib(),
            }
        )
    )


if __name__ == "__main__":
    main(*sys.argv[1:])
