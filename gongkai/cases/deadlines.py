"""From a case's facts to the statutory clock's input (pure: reads attributes, no queries).

The clock itself is gongkai.workdays.clock; this module only decides which stored
dates feed it.
"""

from gongkai.workdays import clock

# Art. 31: which date is 收到申请之日, per channel.
_CLOCK_CHANNEL = {
    "in_person": clock.Channel.IN_PERSON,
    "registered_mail": clock.Channel.REGISTERED_MAIL,
    "letter": clock.Channel.LETTER,
    "online": clock.Channel.ONLINE,
    "fax": clock.Channel.FAX,
    # Other published channels: 以双方确认之日为收到申请之日 (国办公开办函〔2015〕207号 一.5).
    "other": clock.Channel.ONLINE,
}


def receipt_date(channel, *, submitted_on, arrived_on=None, confirmed_on=None):
    """收到申请之日 under Art. 31, or a ValueError naming the missing date (Chinese).

    当面: the day it is submitted. 挂号/EMS: the day the agency signs for it.
    平常信函, 网络, 传真, other: the day both sides confirm it.
    """
    if channel == "in_person":
        return submitted_on
    if channel == "registered_mail":
        if arrived_on is None:
            raise ValueError(
                "挂号信/EMS 以签收之日为收到申请之日（条例第三十一条），请填写签收日期。"
            )
        return arrived_on
    if confirmed_on is None:
        raise ValueError(
            "该渠道以与申请人确认之日为收到申请之日（条例第三十一条），请填写确认日期。"
        )
    return confirmed_on


def clock_events(case, consultations):
    """The clock's CaseEvents for `case` and its Consultation rows."""
    return clock.CaseEvents(
        received=case.received_on,
        channel=_CLOCK_CHANNEL[case.channel],
        corrected=case.corrected_on,
        consultations=tuple(
            clock.Consultation(c.sent_on, c.answered_on, clock.Party(c.party))
            for c in consultations
        ),
        extension_approved=case.extended_on,
    )
