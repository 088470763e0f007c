"""Admin: read-only; every change goes through activities/registers.py (audited)."""

from django.contrib import admin

from gongkai.registers.admin import ReadOnly

from . import models


@admin.register(models.Enquiry)
class EnquiryAdmin(ReadOnly):
    list_display = ["agency", "year", "channel", "persons"]
    list_filter = ["year", "channel"]


@admin.register(models.Proposal)
class ProposalAdmin(ReadOnly):
    list_display = ["agency", "year", "kind", "level", "handled", "on_time"]
    list_filter = ["year", "kind", "level"]


@admin.register(models.Briefing)
class BriefingAdmin(ReadOnly):
    list_display = ["agency", "held_on", "kind", "title"]
    list_filter = ["year", "kind"]
    search_fields = ["title"]


@admin.register(models.Training)
class TrainingAdmin(ReadOnly):
    list_display = ["agency", "held_on", "title", "attendees"]
    list_filter = ["year"]


@admin.register(models.Assessment)
class AssessmentAdmin(ReadOnly):
    list_display = ["agency", "year", "title", "result"]
    list_filter = ["year"]


@admin.register(models.NewMediaAccount)
class NewMediaAccountAdmin(ReadOnly):
    list_display = ["agency", "year", "platform", "account", "posts"]
    list_filter = ["year", "platform"]


@admin.register(models.ActivityEvent)
class ActivityEventAdmin(ReadOnly):
    list_display = ["at", "agency", "register", "kind", "actor_label"]
    list_filter = ["register", "kind"]
