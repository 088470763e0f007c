"""gongkai.generations: derived data is out of date once its generation moves on."""

import pytest
from django.core.cache import cache

from gongkai.generations import Generation


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
