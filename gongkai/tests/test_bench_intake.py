"""The intake bench's CPU accounting: a database backend that ends during a run and one
that starts during it (the server reconnects after CONN_MAX_AGE) are both counted by
what they used within the run; the figure can no longer come out negative."""

from gongkai.bench import intake


class ScriptedMeter(intake.CpuMeter):
    """A meter whose samples come from a script: [{kind: {pid: cpu seconds}}]."""

    def __init__(self, samples):
        super().__init__(server_pgid=0)
        self.samples = samples

    def _pids(self):
        return {kind: list(cpu) for kind, cpu in self.samples[0].items()}


def test_a_backend_that_ends_counts_up_to_its_last_sample_and_a_new_one_from_zero(
    monkeypatch,
):
    samples = [
        {"server": {10: 100.0}, "database": {20: 50.0}},  # at the start
        {"server": {10: 101.0}, "database": {20: 51.5, 21: 0.2}},  # 21 is new
        {"server": {10: 102.0}, "database": {21: 0.9}},  # 20 has ended
    ]
    meter = ScriptedMeter(samples)
    monkeypatch.setattr(intake, "_process_cpu", lambda pid: (pid * 7, meter.cpu[pid]))
    for n, sample in enumerate(samples):
        meter.samples = [sample]
        meter.cpu = {pid: cpu for kind in sample.values() for pid, cpu in kind.items()}
        meter._sample(first=n == 0)
    totals = {kind: intake._growth(seen, meter.started) for kind, seen in meter.seen.items()}
    assert totals["server"] == 2.0
    assert round(totals["database"], 6) == 2.4  # 1.5 of the ended one, 0.9 of the new one


def test_a_reused_process_id_is_another_process(monkeypatch):
    meter = ScriptedMeter([{"server": {}, "database": {30: 0}}])
    starts = iter([(1, 40.0), (2, 0.5)])  # the same pid, started at another time
    monkeypatch.setattr(intake, "_process_cpu", lambda pid: next(starts))
    meter._sample(first=True)
    meter._sample()
    assert intake._growth(meter.seen["database"], meter.started) == 0.5
