"""SKIFF_CLOUD: the cloud's settings from a clouds.yaml entry (a temporary file
named by OS_CLIENT_CONFIG_FILE), never its credentials; explicit settings win."""

from __future__ import annotations

import sys

import pytest
import yaml

from webapp import create_app
from webapp.cloud.clouds_yaml import CloudsYamlError
from webapp.cloud.clouds_yaml import cloud_settings

#: what the entry holds that the portal must never take
SECRETS = (
    "entry-user",
    "entry-password-xyzzy",
    "entry-project",
    "entry-app-cred-id",
    "entry-app-cred-secret-plugh",
    "entry-token-gAAAA",
    "secure-password-frotz",
)


@pytest.fixture
def clouds_yaml(tmp_path, monkeypatch):
    """A clouds.yaml (and a secure.yaml beside it) with a full entry, credentials
    included, found through OS_CLIENT_CONFIG_FILE."""
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    clouds = {
        "clouds": {
            "prod": {
                "auth": {
                    "auth_url": "https://keystone.prod.test:5000/v3",
                    "username": "entry-user",
                    "password": "entry-password-xyzzy",
                    "project_name": "entry-project",
                    "user_domain_name": "ldap",
                    "project_domain_name": "ldap",
                    "application_credential_id": "entry-app-cred-id",
                    "application_credential_secret": "entry-app-cred-secret-plugh",
                    "token": "entry-token-gAAAA",
                },
                "region_name": "RegionTwo",
                "interface": "internal",
                "cacert": str(ca),
            },
            "insecure": {
                "auth": {"auth_url": "https://keystone.lab.test/v3"},
                "verify": False,
            },
            "nourl": {"auth": {"username": "x"}},
        }
    }
    secure = {"clouds": {"prod": {"auth": {"password": "secure-password-frotz"}}}}
    path = tmp_path / "clouds.yaml"
    path.write_text(yaml.safe_dump(clouds))
    (tmp_path / "secure.yaml").write_text(yaml.safe_dump(secure))
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(path))
    monkeypatch.setenv("OS_CLIENT_SECURE_FILE", str(tmp_path / "secure.yaml"))
    # what the environment could add must not come in either
    monkeypatch.setenv("OS_PASSWORD", "env-password")
    for name in ("SKIFF_CLOUD", "SKIFF_CLOUD_REGION", "SKIFF_CLOUD_AUTH_URL", "OS_CLOUD"):
        monkeypatch.delenv(name, raising=False)
    return {"path": path, "ca": str(ca)}


def make_app(tmp_path, **settings):
    return create_app(
        {"TESTING": True, "SECRET_KEY": "test", **settings},
        instance_path=str(tmp_path / "instance"),
    )


def test_the_entry_gives_where_the_cloud_is_and_nothing_else(tmp_path, clouds_yaml):
    app = make_app(tmp_path, CLOUD="prod")

    config = app.config
    assert config["CLOUD_AUTH_URL"] == "https://keystone.prod.test:5000/v3"
    assert config["CLOUD_REGION"] == "RegionTwo"
    assert config["CLOUD_INTERFACE"] == "internal"
    assert config["CLOUD_VERIFY"] == clouds_yaml["ca"]
    assert config["CLOUD_USER_DOMAIN"] == "ldap"
    # the provider is the real cloud's, on those settings
    provider = app.extensions["skiff.cloud"]
    assert not provider.is_demo
    assert provider.region_name == "RegionTwo"
    assert provider.interface == "internal"
    assert provider.verify == clouds_yaml["ca"]
    # no credential of the entry (or of secure.yaml, or OS_*) anywhere in the config
    everything = repr(dict(config))
    for secret in (*SECRETS, "env-password"):
        assert secret not in everything, secret


def test_the_entrys_secrets_are_not_even_returned(clouds_yaml):
    settings = cloud_settings("prod")

    assert set(settings) == {
        "CLOUD_AUTH_URL",
        "CLOUD_REGION",
        "CLOUD_INTERFACE",
        "CLOUD_VERIFY",
        "CLOUD_USER_DOMAIN",
    }
    assert not any(secret in repr(settings) for secret in SECRETS)


def test_explicit_settings_win_over_the_entry(tmp_path, clouds_yaml, monkeypatch):
    monkeypatch.setenv("SKIFF_CLOUD_REGION", "RegionOne")
    (tmp_path / "instance").mkdir()
    (tmp_path / "instance" / "config.py").write_text('CLOUD_USER_DOMAIN = "Default"\n')

    app = make_app(tmp_path, CLOUD="prod", CLOUD_INTERFACE="public")

    assert app.config["CLOUD_REGION"] == "RegionOne"  # SKIFF_CLOUD_REGION
    assert app.config["CLOUD_USER_DOMAIN"] == "Default"  # instance/config.py
    assert app.config["CLOUD_INTERFACE"] == "public"  # create_app's mapping
    assert app.config["CLOUD_AUTH_URL"] == "https://keystone.prod.test:5000/v3"


def test_skiff_cloud_from_the_environment(tmp_path, clouds_yaml, monkeypatch):
    monkeypatch.setenv("SKIFF_CLOUD", "insecure")

    app = make_app(tmp_path)

    assert app.config["CLOUD_AUTH_URL"] == "https://keystone.lab.test/v3"
    assert app.config["CLOUD_VERIFY"] is False
    assert app.config["CLOUD_REGION"] is None  # the entry names none


def test_a_missing_entry_stops_the_app(tmp_path, clouds_yaml):
    with pytest.raises(CloudsYamlError) as caught:
        make_app(tmp_path, CLOUD="staging")

    assert "SKIFF_CLOUD=staging" in str(caught.value)
    assert str(clouds_yaml["path"]) in str(caught.value)


def test_a_missing_file_stops_the_app(tmp_path, clouds_yaml, monkeypatch):
    from openstack.config import loader

    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(tmp_path / "nowhere.yaml"))
    # nor any file in the usual places (./, ~/.config/openstack/, /etc/openstack/)
    monkeypatch.setattr(loader, "CONFIG_FILES", [str(tmp_path / "etc" / "clouds.yaml")])
    monkeypatch.delenv("OS_CLIENT_SECURE_FILE")  # its "prod" would be an entry too
    monkeypatch.setattr(loader, "SECURE_FILES", [str(tmp_path / "etc" / "secure.yaml")])

    with pytest.raises(CloudsYamlError) as caught:
        make_app(tmp_path, CLOUD="prod")

    message = str(caught.value)
    assert message == (
        "SKIFF_CLOUD=prod: no such clouds.yaml entry "
        "(no clouds.yaml found: set OS_CLIENT_CONFIG_FILE)."
    )


def test_an_entry_without_auth_url_stops_the_app(tmp_path, clouds_yaml):
    with pytest.raises(CloudsYamlError, match="no auth_url"):
        make_app(tmp_path, CLOUD="nourl")


def test_without_openstacksdk_the_message_says_what_to_install(clouds_yaml, monkeypatch):
    monkeypatch.setitem(sys.modules, "openstack", None)  # import fails

    with pytest.raises(CloudsYamlError, match=r"pip install 'skiff\[clouds\]'"):
        cloud_settings("prod")


def test_without_skiff_cloud_nothing_is_read(tmp_path, clouds_yaml):
    app = make_app(tmp_path)

    assert app.config["CLOUD"] is None
    assert app.config["CLOUD_AUTH_URL"] is None
    assert app.extensions["skiff.cloud"].is_demo
