"""Whose address a portal rate limit counts (PUB-04, PUB-10)."""

from django.test import RequestFactory

from zhifa.disclosures.ratelimit import client_address


def test_direct_requests_are_counted_by_their_own_address(settings):
    settings.ZHIFA_BEHIND_PROXY = False
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_address(request) == "203.0.113.7"  # a header the client wrote is ignored


def test_behind_the_proxy_the_address_it_appended_is_counted(settings):
    settings.ZHIFA_BEHIND_PROXY = True
    factory = RequestFactory()
    # The client forged a first hop; the proxy appended the address it saw.
    request = factory.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.9")
    assert client_address(request) == "198.51.100.9"
    # Two visitors behind one proxy are two clients, not one.
    other = factory.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.10")
    assert client_address(other) == "198.51.100.10"
    # No header (a request that did not pass through the proxy): the peer's address.
    assert client_address(factory.get("/", REMOTE_ADDR="10.0.0.2")) == "10.0.0.2"
