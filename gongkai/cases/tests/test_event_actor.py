"""Audit events keep who acted as they were then (issue 13 #9)."""

import pytest
from django.test import Client
from django.urls import reverse

from gongkai.agencies.models import Membership, Role
from gongkai.cases.models import CaseEvent, EventKind
from gongkai.cases.tests.factories import make_case

pytestmark = pytest.mark.django_db


def test_renaming_a_user_does_not_change_the_name_on_past_events(world):
    case = make_case(world.agency, world.registrar)
    registrar = world.registrar
    old_name = registrar.username
    event = CaseEvent.objects.get(case=case, kind=EventKind.REGISTER)
    assert (event.actor_name, event.actor_roles) == (old_name, "登记")

    registrar.username = "renamed-account"
    registrar.save()
    Membership.objects.filter(user=registrar).update(role=Role.LEADER)

    event = CaseEvent.objects.get(pk=event.pk)
    assert event.actor_label == old_name and event.actor_roles == "登记"
    client = Client()
    client.force_login(world.office)
    page = client.get(reverse("cases:detail", args=[case.tracking_number])).content.decode()
    assert f"<strong>登记</strong> · {old_name}" in page
    assert "renamed-account" not in page
