"""gongkai.generations: derived data is out of date once its generation moves on."""

import pytest
from django.core.cache import cache

from gongkai.generations import Generation, Kept


@pytest.fixture
def generation():
    cache.clear()
    yield Generation("test:generation")
    cache.clear()


def test_a_value_is_read_with_the_generation_it_was_kept_under(generation):
    now, kept = generation.with_value("test:kept")
    assert kept is None and now == generation.current()
    cache.set("test:kept", (now, 7))
    assert generation.with_value("test:kept") == (now, (now, 7))


def test_moving_on_gives_a_new_number_even_after_the_cache_lost_it(generation):
    before = generation.current()
    generation.move_on()
    after, _ = generation.with_value("test:kept")
    assert after != before
    cache.delete(generation.key)  # evicted: a new number, never the old one again
    assert generation.with_value("test:kept")[0] not in (before, None)


def _counting(value):
    made = []
    return made, lambda: made.append(1) or value


def test_a_kept_value_is_made_once_per_key_and_generation():
    kept = Kept(8)
    made, make = _counting("v")
    assert [kept.get("k", make, 1) for _ in range(3)] == ["v"] * 3 and len(made) == 1
    assert kept.get("k", make, 2) == "v" and len(made) == 2  # the generation moved on
    assert kept.get("other", make, 2) == "v" and len(made) == 3
    assert [kept.get("plain", make) for _ in range(2)] == ["v"] * 2 and len(made) == 4


def test_without_a_known_generation_nothing_is_looked_up_or_kept():
    kept = Kept(8)
    made, make = _counting("v")
    kept.get("k", make, 1)
    assert kept.get("k", make, None) == "v" and len(made) == 2
    assert kept.get("k", make, None) == "v" and len(made) == 3 and len(kept) == 1


def test_none_is_never_kept():
    kept = Kept(8)
    made, make = _counting(None)
    assert kept.get("k", make, 1) is None and kept.get("k", make, 1) is None
    assert len(made) == 2 and len(kept) == 0


def test_a_full_memo_is_forgotten_whole_and_never_holds_more_than_its_bound():
    kept = Kept(3)
    for key in range(3):
        kept.get(key, lambda key=key: key)
    assert len(kept) == 3 and sorted(kept.values()) == [0, 1, 2]
    kept.get(3, lambda: 3)
    assert kept.values() == [3]


def test_a_kept_value_lasts_at_most_its_seconds(monkeypatch):
    import gongkai.generations as generations

    clock = [100.0]
    monkeypatch.setattr(generations.time, "monotonic", lambda: clock[0])
    kept = Kept(8, seconds=10)
    made, make = _counting("v")
    kept.get("k", make, 1)
    clock[0] = 109.9
    assert kept.get("k", make, 1) == "v" and len(made) == 1
    clock[0] = 110.0
    assert kept.get("k", make, 1) == "v" and len(made) == 2
