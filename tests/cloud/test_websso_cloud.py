"""Single sign-on's cloud side against a fake Keystone: checking the posted token,
logging in with it, rescoping from it, and revoking it at logout."""

from __future__ import annotations

import json
import logging

import pytest
import requests

from tests.helpers.websso import TOKEN
from tests.helpers.websso import keystone_websso
from webapp.cloud import errors
from webapp.cloud.demo import DemoProvider
from webapp.cloud.openstack import websso


def test_check_asks_the_configured_keystone_with_the_token_alone(cloud, provider):
    keystone_websso(cloud)

    provider.websso_check(TOKEN)

    (validate,) = cloud.http.request_history
    assert validate.method == "GET"
    assert validate.url == f"{cloud.auth_url}/auth/tokens"
    assert validate.headers["X-Auth-Token"] == TOKEN
    assert validate.headers["X-Subject-Token"] == TOKEN


@pytest.mark.parametrize("status", [401, 403, 404])
def test_check_of_a_token_keystone_refuses_is_unauthorized(cloud, provider, status):
    cloud.error("GET", f"{cloud.auth_url}/auth/tokens", status, {"error": {"message": "no"}})

    with pytest.raises(errors.Unauthorized) as caught:
        provider.websso_check("gAAAAAB-forged")

    assert caught.value.message == websso.TOKEN_REFUSED
    assert caught.value.request_id == "req-1234"


@pytest.mark.parametrize("token", ["", "x" * (websso.MAX_TOKEN_LENGTH + 1)])
def test_check_of_no_token_or_a_huge_one_asks_nothing(cloud, provider, token):
    with pytest.raises(errors.Unauthorized):
        provider.websso_check(token)

    assert cloud.http.request_history == []


@pytest.mark.parametrize(
    "answer", [{"status_code": 503}, {"exc": requests.exceptions.ConnectionError}]
)
def test_check_when_keystone_does_not_answer_is_unavailable(cloud, provider, answer):
    cloud.http.get(f"{cloud.auth_url}/auth/tokens", **answer)

    with pytest.raises(errors.CloudUnavailable):
        provider.websso_check(TOKEN)


def test_login_lists_projects_with_the_token_and_scopes_to_the_first(cloud, provider):
    keystone_websso(cloud)

    identity = provider.websso_login(TOKEN)

    listing, rescope = cloud.http.request_history
    assert listing.url == f"{cloud.auth_url}/auth/projects"
    assert listing.headers["X-Auth-Token"] == TOKEN
    sent = rescope.json()["auth"]
    assert sent["identity"] == {"methods": ["token"], "token": {"id": TOKEN}}
    assert sent["scope"] == {"project": {"id": "p-demo"}}
    assert identity.user_name == "alice"  # the token's user name (the mapping's)
    assert identity.project_name == "demo"
    assert identity.region == "RegionOne"
    state = json.loads(identity.auth_state)
    assert state["auth_token"] == "scoped-p-demo"
    assert websso.unscoped_token(identity) == TOKEN
    assert TOKEN not in repr(identity)


def test_login_scopes_to_the_last_used_project(cloud, provider):
    keystone_websso(cloud)

    identity = provider.websso_login(TOKEN, project_id="p-zeta")

    assert identity.project_id == "p-zeta"
    assert cloud.http.last_request.json()["auth"]["scope"] == {"project": {"id": "p-zeta"}}


def test_login_of_a_user_without_projects_is_refused(cloud, provider):
    keystone_websso(cloud, projects=[])

    with pytest.raises(errors.Unauthorized) as caught:
        provider.websso_login(TOKEN)

    assert "not a member of any project" in caught.value.message
    assert len(cloud.http.request_history) == 1  # no scoping tried


def test_login_with_a_token_refused_meanwhile_is_unauthorized(cloud, provider):
    cloud.error("GET", f"{cloud.auth_url}/auth/projects", 401, {"error": {"message": "no"}})

    with pytest.raises(errors.Unauthorized) as caught:
        provider.websso_login(TOKEN)

    assert caught.value.message == websso.TOKEN_REFUSED


def test_switch_project_rescopes_from_the_unscoped_token_and_keeps_it(cloud, provider):
    keystone_websso(cloud)
    identity = provider.websso_login(TOKEN)
    cloud.http.reset_mock()

    switched = provider.switch_project(identity, "p-zeta")

    (rescope,) = cloud.http.request_history
    assert rescope.json()["auth"]["identity"]["token"] == {"id": TOKEN}
    assert switched.project_id == "p-zeta"
    assert websso.unscoped_token(switched) == TOKEN
    assert json.loads(switched.auth_state)["auth_token"] == "scoped-p-zeta"


def test_logout_revokes_the_scoped_token_then_the_unscoped_one(cloud, provider):
    keystone_websso(cloud)
    identity = provider.websso_login(TOKEN)
    revoke = cloud.http.delete(f"{cloud.auth_url}/auth/tokens", status_code=204)

    provider.logout(identity)

    subjects = [r.headers["X-Subject-Token"] for r in revoke.request_history]
    assert subjects == ["scoped-p-demo", TOKEN]
    # each revokes itself: revoking the unscoped one ends the scoped one too
    assert all(
        r.headers["X-Auth-Token"] == r.headers["X-Subject-Token"] for r in revoke.request_history
    )


def test_logout_revokes_the_unscoped_token_even_when_the_scoped_one_fails(cloud, provider, caplog):
    keystone_websso(cloud)
    identity = provider.websso_login(TOKEN)
    revoke = cloud.http.delete(
        f"{cloud.auth_url}/auth/tokens",
        [{"exc": requests.exceptions.ConnectionError}, {"status_code": 204}],
    )

    provider.logout(identity)

    assert revoke.call_count == 2
    assert TOKEN not in caplog.text


def test_the_token_is_never_logged(cloud, provider, caplog):
    caplog.set_level(logging.DEBUG)
    keystone_websso(cloud)
    cloud.http.delete(f"{cloud.auth_url}/auth/tokens", status_code=204)

    provider.websso_check(TOKEN)
    identity = provider.websso_login(TOKEN)
    provider.switch_project(identity, "p-zeta")
    provider.logout(identity)
    with pytest.raises(errors.Unauthorized):
        provider.websso_check("gAAAAAB-refused-secret")

    assert "keystone" in caplog.text  # the calls were logged...
    assert TOKEN not in caplog.text  # ...without the token
    assert "refused-secret" not in caplog.text


def test_keep_unscoped_leaves_a_password_login_alone(cloud):
    identity = cloud.identity()

    assert websso.unscoped_token(identity) is None
    assert websso.keep_unscoped(identity, None) is identity


def test_the_demo_cloud_offers_no_single_sign_on(tmp_path):
    demo = DemoProvider(str(tmp_path / "demo.sqlite"))

    with pytest.raises(errors.Unauthorized, match="not offered on the demo cloud"):
        demo.websso_check(TOKEN)
    with pytest.raises(errors.Unauthorized, match="not offered on the demo cloud"):
        demo.websso_login(TOKEN)
