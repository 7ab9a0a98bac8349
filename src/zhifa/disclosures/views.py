"""The public portal (PUB-01). Anonymous; shows only what may be public."""

from django.shortcuts import render

from zhifa.disclosures.selectors import portal_agencies


def portal_home(request):
    return render(request, "disclosures/home.html", {"groups": portal_agencies()})
