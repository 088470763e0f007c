import pytest
from django.db import IntegrityError

from gongkai.agencies.models import Membership, Role, missing_role
from gongkai.agencies.tests.factories import make_agency, make_department, make_user

pytestmark = pytest.mark.django_db


def test_a_handler_reaches_only_its_own_departments_cases():
    agency = make_agency()
    mine, other = make_department(agency), make_department(agency)
    user = make_user(agency, Role.HANDLER, department=mine)
    acting = Membership.objects.acting_on
    assert acting(user, agency.pk, mine.pk).filter(role=Role.HANDLER).exists()
    assert not acting(user, agency.pk, other.pk).exists()
    assert not acting(user, agency.pk, None).exists()


def test_agency_wide_roles_reach_every_department_but_not_other_agencies():
    agency, elsewhere = make_agency(), make_agency()
    user = make_user(agency, Role.OFFICE)
    dept = make_department(agency)
    assert Membership.objects.acting_on(user, agency.pk, dept.pk).exists()
    assert not Membership.objects.acting_on(user, elsewhere.pk, None).exists()


def test_holds_asks_for_one_of_the_roles_reaching_the_record():
    agency = make_agency()
    mine, other = make_department(agency), make_department(agency)
    handler = make_user(agency, Role.HANDLER, department=mine)
    holds = Membership.objects.holds
    assert holds(handler, agency.pk, mine.pk, {Role.HANDLER, Role.OFFICE})
    assert not holds(handler, agency.pk, other.pk, {Role.HANDLER})
    assert not holds(handler, agency.pk, mine.pk, {Role.OFFICE})


def test_missing_role_names_where_the_role_is_needed():
    assert missing_role("拟办", {Role.HANDLER}) == "您没有“拟办”的权限：需要本部门的承办部门角色。"
    message = missing_role("督办", {Role.LEADER, Role.OFFICE})
    assert message.startswith("您没有“督办”的权限：需要本机关的")
    assert Role.LEADER.label in message and Role.OFFICE.label in message


def test_a_handler_membership_needs_a_department():
    agency = make_agency()
    user = make_user(agency)
    with pytest.raises(IntegrityError):
        Membership.objects.create(user=user, agency=agency, role=Role.HANDLER)


def test_a_supervising_agency_lists_its_subordinates():
    city = make_agency(name="某市公安局", code="city")
    district = make_agency(name="某区分局", code="district", parent=city)
    assert list(city.subordinates.all()) == [district]


def test_an_agency_wide_role_is_held_once():
    agency = make_agency()
    user = make_user(agency, Role.OFFICE)
    with pytest.raises(IntegrityError):
        Membership.objects.create(user=user, agency=agency, role=Role.OFFICE)
