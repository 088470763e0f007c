import pytest
from django.db import IntegrityError

from gongkai.agencies.models import Membership, Role
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
