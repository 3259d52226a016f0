"""The pages a plain demo portal does not show, in Simplified Chinese: single
sign-on (the login page's choices, its refusals), the region switcher, an
operator's own step, "Launch and stay", and the answers to too many logins and
to a store that does not answer. Each is read as in
``test_pages_in_chinese``: no English word of ours on it.
"""

from __future__ import annotations

import re

import pytest
import requests_mock

from tests.helpers.extra_steps import extra_app
from tests.helpers.fake_cloud import FakeCloud
from tests.helpers.i18n import english_words
from tests.helpers.processes import free_port
from tests.helpers.regions import TwoRegionCloud
from tests.helpers.regions import portal
from tests.helpers.regions import switch_region
from tests.helpers.websso import callback
from tests.helpers.websso import keystone_websso
from tests.helpers.websso import sso_app
from tests.helpers.wizard import Wizard
from webapp import create_app
from webapp.i18n import LANGUAGE_COOKIE

HTMX = {"HX-Request": "true"}
#: an operator's step, every word of it given in both languages
ZONE_STEP = {
    "slug": "placement",
    "name": {"en": "Placement", "zh_CN": "位置"},
    "help": {"en": "Where these servers belong.", "zh_CN": "这些实例所属的位置。"},
    "after": "details",
    "fields": [
        {
            "name": "room",
            "label": {"en": "Machine room", "zh_CN": "机房"},
            "help": {"en": "Two lower-case letters.", "zh_CN": "两个小写字母。"},
            "required": True,
            "pattern": "[a-z]{2}",
            "pattern_message": {"en": "Two lower-case letters.", "zh_CN": "两个小写字母。"},
            "metadata": "room",
        },
        {
            "name": "tier",
            "label": {"en": "Tier", "zh_CN": "层级"},
            "choices": [
                ["gold", {"en": "Gold", "zh_CN": "金"}],
                ["iron", {"en": "Iron", "zh_CN": "铁"}],
            ],
            "tag": "tier:",
        },
    ],
}
#: the single sign-on choices, labelled in both languages
CHOICES = [
    {"label": {"en": "Campus", "zh_CN": "校园"}, "protocol": "openid"},
    {"label": {"en": "University", "zh_CN": "大学"}, "idp": "uni", "protocol": "saml2"},
]
#: the words the tests type, and the fake cloud's names, shown as they came
TYPED = frozenset("web zh bx RegionOne RegionTwo vm one two alice laptop fd00".split())
#: the fake cloud's name (its Keystone's host)
CLOUD_NAME = frozenset({"keystone", "example", "test"})


def in_chinese(client):
    client.set_cookie(LANGUAGE_COOKIE, "zh_CN")
    return client


def keep(found: dict[str, str], name: str, response, status: int = 200) -> None:
    assert response.status_code == status, (name, response.status_code)
    found[name] = response.get_data(as_text=True)


def websso_pages(tmp_path, requests_mock) -> dict[str, str]:
    found: dict[str, str] = {}
    cloud = FakeCloud(requests_mock)
    keystone_websso(cloud)
    client = in_chinese(sso_app(tmp_path, WEBSSO_CHOICES=CHOICES).test_client())
    keep(found, "login with single sign-on", client.get("/auth/login"))
    keep(found, "single sign-on not started", client.get("/auth/websso/done"), 400)
    client.get("/auth/websso/start/0")
    refused = callback(client, "not-a-token-keystone-knows")
    keep(found, "single sign-on refused", refused, 401)
    return found


def region_pages(tmp_path, requests_mock) -> dict[str, str]:
    found: dict[str, str] = {}
    cloud = TwoRegionCloud(requests_mock)
    cloud.keystone()
    cloud.lists()

    def app_factory(settings):
        config = {"TESTING": True, "SECRET_KEY": "test", "RATE_LIMITS_ENABLED": False}
        return create_app({**config, **settings}, instance_path=str(tmp_path / "regions"))

    wizard = portal(app_factory, cloud, CLOUD_REGION="RegionOne")
    in_chinese(wizard.client)
    keep(found, "servers in two regions", wizard.client.get("/servers/"))
    switched = switch_region(wizard, "RegionTwo")
    keep(found, "after a region switch", wizard.client.get(switched.headers["Location"]))
    return found


def extra_step_pages(tmp_path) -> dict[str, str]:
    found: dict[str, str] = {}
    app = extra_app(tmp_path / "extra", [ZONE_STEP], RATE_LIMITS_ENABLED=False)
    wizard = Wizard(in_chinese(app.test_client()))
    wizard.login()
    wizard.open()
    keep(found, "an operator's step", wizard.client.get(f"{wizard.url}/placement"))
    keep(
        found,
        "an operator's step (htmx)",
        wizard.client.get(f"{wizard.url}/placement", headers=HTMX),
    )
    wizard.fill_all(name="web-zh")
    keep(found, "an operator's step refusing", wizard.post("placement", room="B1", tier="iron"))
    wizard.post("placement", room="bx", tier="iron")
    keep(found, "review with an operator's step", wizard.client.get(f"{wizard.url}/review"))
    stayed = wizard.post("review", nav="launch_stay")
    assert stayed.status_code == 303, stayed.get_data(as_text=True)[-2000:]
    keep(
        found,
        "the next wizard after launch and stay",
        wizard.client.get(stayed.headers["Location"]),
    )
    return found


def refusal_pages(tmp_path) -> dict[str, str]:
    found: dict[str, str] = {}
    limited = create_app(
        {"TESTING": True, "SECRET_KEY": "test", "DEMO_DATABASE": str(tmp_path / "l.sqlite")},
        instance_path=str(tmp_path / "limited"),
    )
    client = in_chinese(limited.test_client())
    for _ in range(11):
        token = Wizard(client).csrf()
        last = client.post(
            "/auth/login", data={"username": "demo", "password": "wrong", "csrf_token": token}
        )
    keep(found, "too many logins", last, 429)
    down = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "RATE_LIMITS_ENABLED": False,
            "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0",
        },
        instance_path=str(tmp_path / "down"),
    )
    client = in_chinese(down.test_client())
    for name, headers in (
        ("the store not answering", {}),
        ("the store not answering (htmx)", HTMX),
    ):
        login = {"username": "demo", "password": "demo", "csrf_token": Wizard(client).csrf()}
        keep(found, name, client.post("/auth/login", data=login, headers=headers), 503)
    return found


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, str]:
    """Page name -> its HTML, as a zh_CN user gets it."""
    found: dict[str, str] = {}
    with requests_mock.Mocker() as mocker:
        found |= websso_pages(tmp_path_factory.mktemp("sso"), mocker)
        found |= region_pages(tmp_path_factory.mktemp("regions"), mocker)
    found |= extra_step_pages(tmp_path_factory.mktemp("extra"))
    found |= refusal_pages(tmp_path_factory.mktemp("refusals"))
    return found


NAMES = [
    "login with single sign-on",
    "single sign-on not started",
    "single sign-on refused",
    "servers in two regions",
    "after a region switch",
    "an operator's step",
    "an operator's step (htmx)",
    "an operator's step refusing",
    "review with an operator's step",
    "the next wizard after launch and stay",
    "too many logins",
    "the store not answering",
    "the store not answering (htmx)",
]


def test_the_walk_reached_every_page(pages):
    assert set(pages) == set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_no_english_word_of_ours_is_left(pages, name):
    html = pages[name]
    assert re.search(r"[\u4e00-\u9fff]", html), f"{name}: no Chinese at all"
    if "<html" in html:
        assert '<html lang="zh-CN">' in html
    data = TYPED | CLOUD_NAME if "single sign-on" in name else TYPED
    left = english_words(html, also_allowed=data)
    assert not left, f"{name}: English left: {left}"


def test_the_operators_chinese_words_are_the_ones_shown(pages):
    assert ">位置</h2>" in pages["an operator's step"]
    assert (
        "机房" in pages["an operator's step"]
        and "这些实例所属的位置。" in pages["an operator's step"]
    )
    assert "两个小写字母。" in pages["an operator's step refusing"]
    assert "您现在正在区域“RegionTwo”中工作。" in pages["after a region switch"]
    assert (
        "校园" in pages["login with single sign-on"]
        and "大学" in pages["login with single sign-on"]
    )
