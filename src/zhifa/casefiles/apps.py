from django.apps import AppConfig


class CasefilesConfig(AppConfig):
    name = "zhifa.casefiles"
    label = "casefiles"
    verbose_name = "案卷归档"
