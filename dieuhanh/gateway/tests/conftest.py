import pytest

from dieuhanh.gateway import hooks, signing


@pytest.fixture
def received(monkeypatch):
    """A receiver of kind "test" recording what it is handed (the real receivers are set aside)."""
    monkeypatch.setattr(hooks, "RECEIVERS", {})
    seen = []
    hooks.register_receiver("test", lambda payload, arrival: seen.append((payload, arrival)))
    return seen


@pytest.fixture
def own_key(settings, tmp_path, monkeypatch):
    """This installation ("A") with a fresh key under a temporary data directory, trusting itself as a peer."""
    monkeypatch.setattr(signing, "KEY_CACHE", {})
    settings.VAR_DIR = tmp_path / "var"
    settings.DIEUHANH_INSTALLATION_ID = "A"
    settings.DIEUHANH_GATEWAY_PEERS = {"A": signing.public_key_pem()}
    return signing.private_key()
