"""Who may read the inspector: the address, Host and key rules of inspector/access.py."""

from __future__ import annotations

import pytest

from dashscope_realtime_mock.inspector.access import Access, cookie_value, same_key


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "localhost", "app.localhost", "[::1]", "10.0.0.5", "LOCALHOST."]
)
def test_addresses_and_localhost_are_allowed_hosts(host):
    """IP literals and localhost names pass the Host check."""
    assert Access().host_allowed(host)


@pytest.mark.parametrize("host", ["evil.example", "localhost.evil.example", "", None])
def test_other_names_are_not_allowed_hosts(host):
    """A name that is not an address or localhost fails, unless it was given."""
    assert not Access().host_allowed(host)


def test_a_given_name_is_allowed_whatever_its_case():
    """--inspector-host names are compared without case."""
    assert Access(hosts=("Mock.Internal",)).host_allowed("mock.internal")


@pytest.mark.parametrize("remote", ["127.0.0.1", "::1", "::ffff:127.0.0.2", None])
def test_loopback_peers_are_allowed(remote):
    """Loopback addresses (and a Unix socket's None) read the inspector."""
    assert Access().peer_allowed(remote)


@pytest.mark.parametrize("remote", ["192.168.1.2", "2001:db8::1", "not-an-address"])
def test_other_peers_need_remote(remote):
    """Any other address needs Access(remote=True)."""
    assert not Access().peer_allowed(remote)
    assert Access(remote=True).peer_allowed(remote)


def test_the_cookie_stands_for_the_key_without_holding_it():
    """The cookie differs per key and does not contain the key."""
    assert cookie_value("sk-a") != cookie_value("sk-b")
    assert "sk-a" not in cookie_value("sk-a")
    assert same_key(cookie_value("sk-a"), cookie_value("sk-a"))
