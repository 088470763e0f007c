from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "gongkai.activities"
    verbose_name = "年报工作登记（咨询、建议提案、解读、培训、考核、新媒体）"
