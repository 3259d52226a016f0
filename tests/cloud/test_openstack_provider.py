"""Login, project switching, logout and connecting against a fake Keystone."""

import json

import pytest
import requests

from webapp.cloud import errors
from webapp.cloud.openstack import OpenStackProvider


def test_login_takes_unscoped_token_lists_projects_and_rescopes(cloud, provider):
    cloud.keystone()

    identity = provider.login("alice", cloud.password)

    password_post, listing, rescope = cloud.http.request_history
    sent = password_post.json()["auth"]
    assert sent["identity"]["methods"] == ["password"]
    assert sent["identity"]["password"]["user"] == {
        "name": "alice",
        "password": cloud.password,
        "domain": {"name": "Default"},
    }
    assert sent["scope"] == "unscoped"
    assert listing.method == "GET"
    assert listing.url == f"{cloud.auth_url}/auth/projects"
    assert listing.headers["X-Auth-Token"] == "unscoped-token"
    sent = rescope.json()["auth"]
    assert sent["identity"] == {"methods": ["token"], "token": {"id": "unscoped-token"}}
    # no last-used project: the first enabled one by name
    assert sent["scope"] == {"project": {"id": "p-demo"}}
    assert identity.project_id == "p-demo"
    assert identity.project_name == "demo"
    assert identity.user_id == "u-1"
    assert identity.user_name == "alice"
    assert identity.domain_name == "Default"
    assert [p.name for p in identity.projects] == ["demo", "zeta"]
    state = json.loads(identity.auth_state)
    assert state["auth_token"] == "scoped-p-demo"
    assert state["body"]["token"]["project"]["id"] == "p-demo"
    assert "scoped-p-demo" not in repr(identity)


def test_login_scopes_to_the_last_used_project(cloud, provider):
    cloud.keystone()

    identity = provider.login("alice", cloud.password, project_id="p-zeta")

    assert cloud.http.last_request.json()["auth"]["scope"]["project"]["id"] == "p-zeta"
    assert identity.project_id == "p-zeta"
    assert json.loads(identity.auth_state)["auth_token"] == "scoped-p-zeta"


@pytest.mark.parametrize("project_id", ["p-gone", "p-off"])
def test_login_ignores_a_last_project_that_is_no_longer_theirs(cloud, provider, project_id):
    cloud.keystone()

    identity = provider.login("alice", cloud.password, project_id=project_id)

    assert identity.project_id == "p-demo"


def test_login_uses_the_given_domain(cloud, provider):
    cloud.keystone()

    identity = provider.login("alice", cloud.password, domain="ldap")

    user = cloud.http.request_history[0].json()["auth"]["identity"]["password"]["user"]
    assert user["domain"] == {"name": "ldap"}
    assert identity.projects


def test_bad_password_is_unauthorized(cloud, provider):
    cloud.keystone()

    with pytest.raises(errors.Unauthorized) as caught:
        provider.login("alice", "wrong")

    assert caught.value.message == "Invalid user name or password."
    assert caught.value.request_id == "req-keystone"
    assert len(cloud.http.request_history) == 1


def test_empty_password_is_refused_without_asking_keystone(cloud, provider):
    with pytest.raises(errors.Unauthorized):
        provider.login("alice", "")

    assert cloud.http.request_history == []


def test_user_without_projects_cannot_log_in(cloud, provider):
    cloud.keystone(projects=[{"id": "p-off", "name": "off", "enabled": False}])

    with pytest.raises(errors.Unauthorized) as caught:
        provider.login("alice", cloud.password)

    assert "not a member of any project" in caught.value.message
    assert not cloud.requests("POST")[1:], "no rescoping without a project"


@pytest.mark.parametrize(
    "failure", [requests.exceptions.ConnectionError, requests.exceptions.ConnectTimeout]
)
def test_keystone_not_answering_is_cloud_unavailable(cloud, provider, failure):
    cloud.http.post(f"{cloud.auth_url}/auth/tokens", exc=failure)

    with pytest.raises(errors.CloudUnavailable) as caught:
        provider.login("alice", cloud.password)

    assert caught.value.message.startswith("The cloud did not answer")
    assert cloud.password not in str(caught.value)


def test_keystone_failing_is_cloud_unavailable(cloud, provider):
    cloud.error("POST", f"{cloud.auth_url}/auth/tokens", 503, "Service Unavailable")

    with pytest.raises(errors.CloudUnavailable) as caught:
        provider.login("alice", cloud.password)

    assert caught.value.request_id == "req-1234"


def test_label_and_auth_url(cloud):
    provider = OpenStackProvider(auth_url="https://keystone.example.test:5000")

    assert provider.label == "keystone.example.test"
    assert provider.auth_url == "https://keystone.example.test:5000/v3"
    assert provider.is_demo is False


def test_switch_project_rescopes_the_current_token(cloud, provider):
    cloud.keystone()
    identity = cloud.identity("p-demo")

    switched = provider.switch_project(identity, "p-zeta")

    (rescope,) = cloud.http.request_history
    sent = rescope.json()["auth"]
    assert sent["identity"]["token"] == {"id": "scoped-p-demo"}
    assert sent["scope"] == {"project": {"id": "p-zeta"}}
    assert switched.project_id == "p-zeta"
    assert switched.project_name == "zeta"
    assert switched.projects == identity.projects
    assert json.loads(switched.auth_state)["auth_token"] == "scoped-p-zeta"


def test_switch_to_a_project_not_theirs_is_refused_without_a_call(cloud, provider):
    with pytest.raises(errors.NotFound):
        provider.switch_project(cloud.identity(), "p-elsewhere")

    assert cloud.http.request_history == []


def test_switch_with_an_expired_token_asks_to_log_in_again(cloud, provider):
    cloud.error(
        "POST",
        f"{cloud.auth_url}/auth/tokens",
        401,
        {"error": {"code": 401, "message": "expired", "title": "Unauthorized"}},
    )

    with pytest.raises(errors.Unauthorized) as caught:
        provider.switch_project(cloud.identity(), "p-zeta")

    assert "log in again" in caught.value.message
    assert caught.value.request_id == "req-1234"


def test_logout_revokes_the_token(cloud, provider):
    revoke = cloud.http.delete(f"{cloud.auth_url}/auth/tokens", status_code=204)

    provider.logout(cloud.identity())

    assert revoke.call_count == 1
    assert revoke.last_request.headers["X-Subject-Token"] == "scoped-p-demo"
    assert revoke.last_request.headers["X-Auth-Token"] == "scoped-p-demo"


@pytest.mark.parametrize(
    "answer",
    [
        {"status_code": 500},
        {"status_code": 401},
        {"exc": requests.exceptions.ConnectionError},
    ],
)
def test_logout_never_raises(cloud, provider, answer, caplog):
    revoke = cloud.http.delete(f"{cloud.auth_url}/auth/tokens", **answer)

    provider.logout(cloud.identity())

    assert revoke.call_count == 1
    assert "scoped-p-demo" not in caplog.text


def test_logout_with_a_broken_state_does_not_raise(cloud, provider):
    identity = cloud.identity()
    broken = type(identity)(**{**identity.__dict__, "auth_state": "not json"})

    provider.logout(broken)

    assert cloud.http.request_history == []


def test_connect_makes_no_call_and_uses_the_stored_token(cloud, provider, call_log):
    cloud.nova_version()
    cloud.http.get(f"{cloud.nova}/flavors/detail", json={"flavors": []})

    connection = provider.connect(cloud.identity())
    assert cloud.http.request_history == []

    connection.list_flavors()

    assert [r.url for r in cloud.http.request_history] == [
        cloud.nova,
        f"{cloud.nova}/flavors/detail",
    ]
    assert all(r.headers["X-Auth-Token"] == "scoped-p-demo" for r in cloud.http.request_history)
    assert call_log.count("identity") == 0
    assert call_log.count("compute") == 2


def test_connect_with_an_unreadable_state_is_unauthorized(cloud, provider):
    identity = cloud.identity()
    broken = type(identity)(**{**identity.__dict__, "auth_state": "{}"})

    with pytest.raises(errors.Unauthorized):
        provider.connect(broken)


def test_an_expired_token_is_not_renewed_by_the_connection(cloud, provider):
    cloud.nova_version()
    cloud.error(
        "GET",
        f"{cloud.nova}/flavors/detail",
        401,
        {
            "unauthorized": {
                "code": 401,
                "message": "The request you have made requires authentication.",
            }
        },
    )

    with pytest.raises(errors.Unauthorized) as caught:
        provider.connect(cloud.identity()).list_flavors()

    assert caught.value.request_id == "req-1234"
    assert not cloud.requests(base=cloud.auth_url), "no Keystone call"
