"""Figures of 主动公开 for the annual report's narrative (一、总体情况 （一）主动公开).

Everything is counted from the records, in the agency's local time (Asia/Shanghai):
an item counts as published in the year its published_at falls in — also when it was
withdrawn later (it was published that year); withdrawals count in the year of
withdrawn_at; other-channel publications in the year of their published_on.
"""

import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone

from gongkai.publications.models import (
    NEW_MEDIA_CHANNELS,
    Category,
    ChannelPublication,
    Genre,
    Item,
    ItemQuerySet,
    ItemRevision,
    PublicationChannel,
    Status,
)


def _year_span(year):
    tz = timezone.get_current_timezone()
    return (
        dt.datetime(year, 1, 1, tzinfo=tz),
        dt.datetime(year + 1, 1, 1, tzinfo=tz),
    )


def _counts(rows, field, enum):
    found = {row[field]: row["n"] for row in rows}
    return {value: found.get(value, 0) for value in enum.values}


def year_figures(agency, year):
    """The year's figures as a dict (keys below) plus `sentences`, Chinese lines for the
    narrative, e.g. "通过政务新媒体公开政府信息12条"."""
    start, end = _year_span(year)
    items = Item.objects.filter(agency=agency)
    published = items.filter(
        status__in=[Status.PUBLISHED, Status.WITHDRAWN],
        published_at__gte=start,
        published_at__lt=end,
    )
    totals = published.aggregate(
        total=Count("id"),
        interpretations=Count("id", filter=Q(interprets__isnull=False)),
        on_time=Count("id", filter=ItemQuerySet.on_time_q()),
        with_due=Count("id", filter=Q(publication_due_on__isnull=False)),
    )
    by_category = _counts(
        published.values("category").annotate(n=Count("id")), "category", Category
    )
    by_genre = _counts(published.values("genre").annotate(n=Count("id")), "genre", Genre)
    withdrawn = items.filter(
        status=Status.WITHDRAWN, withdrawn_at__gte=start, withdrawn_at__lt=end
    ).count()
    channel_rows = (
        ChannelPublication.objects.filter(
            item__agency=agency, published_on__gte=start.date(), published_on__lt=end.date()
        )
        .values("channel")
        .annotate(n=Count("id"))
    )
    channels = _counts(channel_rows, "channel", PublicationChannel)
    corrected = ItemRevision.objects.filter(item__agency=agency, at__gte=start, at__lt=end).count()
    year_end = dt.date(year, 12, 31)
    overdue_at_year_end = (
        items.overdue(year_end + dt.timedelta(1)).filter(written_on__lte=year_end).count()
    )
    figures = {
        "year": year,
        "published": totals["total"],
        "by_category": by_category,
        "by_genre": by_genre,
        "interpretations": totals["interpretations"],
        "published_on_time": totals["on_time"],
        "published_late": totals["with_due"] - totals["on_time"],
        "withdrawn": withdrawn,
        "corrected": corrected,
        "channels": channels,
        "new_media": sum(channels[c] for c in NEW_MEDIA_CHANNELS),
        "overdue_at_year_end": overdue_at_year_end,
    }
    figures["sentences"] = sentences(figures)
    return figures


def sentences(figures):
    """Chinese lines for the narrative from year_figures()."""
    year, lines = figures["year"], []
    parts = [
        f"{Category(key).label}{n}条"
        for key, n in sorted(figures["by_category"].items(), key=lambda kv: -kv[1])
        if n
    ]
    line = f"{year}年，通过政府网站主动公开政府信息{figures['published']}条"
    if parts:
        line += "，其中" + "、".join(parts)
    lines.append(line + "。")
    if figures["interpretations"]:
        lines.append(
            f"发布政策解读{figures['interpretations']}篇，做到政策文件与解读材料同步发布。"
        )
    channels = figures["channels"]
    media = [
        f"{PublicationChannel(c).label}{channels[c]}条" for c in NEW_MEDIA_CHANNELS if channels[c]
    ]
    line = f"通过政务新媒体公开政府信息{figures['new_media']}条"
    if media:
        line += "（" + "、".join(media) + "）"
    lines.append(line + "。")
    if channels[PublicationChannel.GAZETTE]:
        lines.append(f"通过政府公报公开政府信息{channels[PublicationChannel.GAZETTE]}条。")
    if channels[PublicationChannel.PRESS_CONFERENCE]:
        lines.append(f"召开新闻发布会发布信息{channels[PublicationChannel.PRESS_CONFERENCE]}次。")
    with_due = figures["published_on_time"] + figures["published_late"]
    if with_due:
        lines.append(
            f"主动公开信息中{figures['published_on_time']}条在成文之日起20个工作日内公开"
            f"（条例第二十六条），{figures['published_late']}条超过时限公开。"
        )
    if figures["corrected"]:
        lines.append(f"更正已公开信息{figures['corrected']}次。")
    if figures["withdrawn"]:
        lines.append(f"撤回已公开信息{figures['withdrawn']}条。")
    return lines
