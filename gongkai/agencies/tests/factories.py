"""Tiny explicit factories for agencies, departments and staff."""

import itertools

from django.contrib.auth.models import User

from gongkai.agencies.models import Agency, Department, Membership, Role

_seq = itertools.count(1)


def make_agency(**kw):
    n = next(_seq)
    kw.setdefault("name", f"测试市公安局{n}")
    kw.setdefault("code", f"psb{n}")
    return Agency.objects.create(**kw)


def make_department(agency, **kw):
    kw.setdefault("name", f"治安支队{next(_seq)}")
    return Department.objects.create(agency=agency, **kw)


def make_user(agency, *roles, department=None, **kw):
    """A user holding `roles` in `agency` (handler roles in `department`)."""
    kw.setdefault("username", f"user{next(_seq)}")
    user = User.objects.create_user(**kw)
    for role in roles:
        dept = department if role == Role.HANDLER else None
        Membership.objects.create(user=user, agency=agency, department=dept, role=role)
    return user
