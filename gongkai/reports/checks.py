"""The checker: every rule of the spec. (Being written; see issue 2.)"""


def check(report):
    return []


def check_continuity(last, this):
    return []
