"""``/healthz`` (the process answers) and ``/readyz`` (the store and the cloud
answer): no login, no session, no rate limit, never cached, no secret in the body;
Keystone down fails /readyz, not /healthz; readiness is kept a moment per worker."""

from __future__ import annotations

import pytest
import requests

from tests.helpers.fake_cloud import FakeCloud
from tests.helpers.processes import free_port
from webapp import create_app
from webapp.state import state

PROBES = ("/healthz", "/readyz")


@pytest.fixture
def make_app(tmp_path):
    """Builds apps of their own instance folder (a real cloud's URL, Redis...)."""

    def make(**config):
        folder = tmp_path / f"app-{len(list(tmp_path.iterdir()))}"
        return create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "test",
                "DEMO_DATABASE": str(folder / "demo.sqlite"),
                **config,
            },
            instance_path=str(folder),
        )

    return make


def openstack_app(make_app, **config):
    return make_app(CLOUD_AUTH_URL=FakeCloud.auth_url, **config)


def keystone_answers(requests_mock, status=200):
    """Keystone's version document at the auth URL (what /readyz reads)."""
    return requests_mock.get(
        FakeCloud.auth_url, status_code=status, json={"version": {"id": "v3.14"}}
    )


def test_both_answer_on_the_demo_cloud_without_login_session_or_cache(client):
    for path in PROBES:
        response = client.get(path)
        assert response.status_code == 200, path  # not a redirect to the login page
        assert response.headers["Cache-Control"] == "no-store"
        assert "Set-Cookie" not in response.headers
        assert response.is_json
    assert client.get("/healthz").json == {"status": "ok"}
    assert client.get("/readyz").json == {
        "status": "ok",
        "checks": {"store": "ok", "cloud": "ok"},
    }


def test_keystone_down_fails_readyz_not_healthz(make_app, requests_mock):
    requests_mock.get(FakeCloud.auth_url, exc=requests.exceptions.ConnectionError("refused"))
    client = openstack_app(make_app).test_client()
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json == {
        "status": "unavailable",
        "checks": {"store": "ok", "cloud": "unavailable"},
    }
    assert "keystone.example.test" not in ready.get_data(as_text=True)
    assert client.get("/healthz").status_code == 200
    # /healthz asked nobody: the one call is /readyz's
    assert requests_mock.call_count == 1


def test_keystone_timing_out_or_failing_fails_readyz(make_app, requests_mock):
    requests_mock.get(FakeCloud.auth_url, exc=requests.exceptions.ConnectTimeout)
    assert openstack_app(make_app).test_client().get("/readyz").json["checks"]["cloud"] == "timeout"
    keystone_answers(requests_mock, status=503)
    ready = openstack_app(make_app).test_client().get("/readyz")
    assert ready.status_code == 503
    assert ready.json["checks"]["cloud"] == "error 503"


@pytest.mark.parametrize("status", [200, 300, 401])
def test_any_keystone_answer_below_500_is_ready(make_app, requests_mock, status):
    keystone_answers(requests_mock, status=status)
    ready = openstack_app(make_app).test_client().get("/readyz")
    assert ready.status_code == 200
    assert ready.json["checks"] == {"store": "ok", "cloud": "ok"}
    assert requests_mock.last_request.url == FakeCloud.auth_url  # the configured URL
    assert "X-Auth-Token" not in requests_mock.last_request.headers


def test_readiness_is_kept_a_moment_per_worker(make_app, requests_mock, monkeypatch):
    keystone = keystone_answers(requests_mock)
    client = openstack_app(make_app, HEALTH_CACHE_SECONDS=2).test_client()
    for _ in range(20):
        assert client.get("/readyz").status_code == 200
    assert keystone.call_count == 1
    # Once the kept answer is stale, the next poll checks again and sees Keystone gone.
    requests_mock.get(FakeCloud.auth_url, exc=requests.exceptions.ConnectionError)
    import webapp.ops.health as health

    real = health.time.monotonic
    monkeypatch.setattr(health.time, "monotonic", lambda: real() + 3)
    assert client.get("/readyz").status_code == 503


def test_the_store_down_fails_readyz_and_says_no_secret(make_app):
    url = f"redis://:hunter2-secret@127.0.0.1:{free_port()}/0"  # nothing listens there
    app = make_app(REDIS_URL=url, RATE_LIMITS_ENABLED=False)
    client = app.test_client()
    try:
        ready = client.get("/readyz")
        body = ready.get_data(as_text=True)
        assert ready.status_code == 503
        assert ready.json == {
            "status": "unavailable",
            "checks": {"store": "unavailable", "cloud": "ok"},
        }
        assert "hunter2" not in body and "redis" not in body.lower()
        # With a login's cookie, other pages read the store (503); a probe does not.
        client.set_cookie("skiff_session", "s-some-login")
        assert client.get("/launch/").status_code == 503
        assert client.get("/healthz").status_code == 200
    finally:
        with app.app_context():
            state().store.client.close()


def test_a_probe_with_a_session_cookie_reads_and_writes_no_session(
    client, wizard, app, monkeypatch
):
    """A logged-in browser polling the probes: the store is not asked for the
    session, nothing is written, and no cookie comes back."""
    with app.app_context():
        kept = state().store
    calls = []
    for name in ("fields", "create_fields", "update_fields"):
        real = getattr(kept, name)
        monkeypatch.setattr(
            kept,
            name,
            lambda *a, _real=real, _name=name, **k: calls.append(_name) or _real(*a, **k),
        )
    for path in PROBES:
        response = client.get(path)
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers
    assert calls == []
    assert client.get("/launch/").status_code == 200
    assert "fields" in calls  # a page does read the login's session


def test_probes_are_never_rate_limited(make_app):
    app = make_app(
        LOGIN_LIMIT_PER_ADDRESS="1 per minute",
        LOGIN_LIMIT_PER_USER="1 per minute",
        LAUNCH_LIMIT="1 per minute",
    )
    client = app.test_client()
    for _ in range(40):
        for path in PROBES:
            response = client.get(path)
            assert response.status_code == 200, path
            assert "Retry-After" not in response.headers
