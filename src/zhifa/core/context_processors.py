from django.conf import settings


def zhifa(request):
    return {"ZHIFA_DEMO": settings.DEMO, "ZHIFA_DEBUG": settings.DEBUG}
