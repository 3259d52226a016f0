"""Which language a page is in: the user's choice (the header's switcher, kept in a
cookie), else the browser's Accept-Language, else English; `<html lang>` says it."""

from __future__ import annotations

import re

import flask_babel
import pytest

from webapp import create_app
from webapp.forms.launch.common import size_mb
from webapp.i18n import LANGUAGE_COOKIE
from webapp.i18n import day
from webapp.i18n import moment


def lang(response) -> str:
    return re.search(r'<html lang="([^"]+)">', response.get_data(as_text=True)).group(1)


def csrf(client) -> str:
    html = client.get("/auth/login").get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "en"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh-CN"),
        ("zh", "zh-CN"),
        ("zh-Hans", "zh-CN"),
        ("en-GB,en;q=0.9,zh-CN;q=0.5", "en"),
        ("fr-FR,fr;q=0.9", "en"),
        ("zh-TW", "en"),  # Traditional Chinese is another language
    ],
)
def test_without_a_choice_the_browser_language_decides(client, accept, expected):
    headers = {"Accept-Language": accept} if accept else {}
    response = client.get("/auth/login", headers=headers)
    assert lang(response) == expected


def test_a_page_in_chinese_says_so_and_is_translated(client):
    html = client.get("/auth/login", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert '<html lang="zh-CN">' in html
    assert "跳到主要内容" in html and "Skip to content" not in html


def test_the_switcher_remembers_the_choice_over_the_browser_language(client):
    response = client.post(
        "/language",
        data={
            "language": "zh_CN",
            "next": "/auth/login?next=%2Fservers%2F",
            "csrf_token": csrf(client),
        },
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/auth/login?next=%2Fservers%2F"
    cookie = next(
        c for c in response.headers.getlist("Set-Cookie") if c.startswith(LANGUAGE_COOKIE)
    )
    assert cookie.startswith(f"{LANGUAGE_COOKIE}=zh_CN;")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Max-Age=31536000" in cookie
    assert lang(client.get("/auth/login", headers={"Accept-Language": "en"})) == "zh-CN"
    # and back
    client.post("/language", data={"language": "en", "csrf_token": csrf(client)})
    assert lang(client.get("/auth/login", headers={"Accept-Language": "zh-CN"})) == "en"


def test_the_switcher_shows_each_language_in_its_own_words_and_the_current_one_chosen(client):
    client.set_cookie(LANGUAGE_COOKIE, "zh_CN")
    html = client.get("/auth/login").get_data(as_text=True)
    switcher = re.search(r'<form class="language-switch".*?</form>', html, re.S).group(0)
    options = re.findall(
        r'<option value="(\w+)" lang="([\w-]+)" ?(selected)?>([^<]+)</option>', switcher
    )
    assert options == [("en", "en", "", "English"), ("zh_CN", "zh-CN", "selected", "简体中文")]


def test_a_language_not_offered_is_not_remembered(client):
    response = client.post("/language", data={"language": "xx", "csrf_token": csrf(client)})
    assert response.status_code == 303
    assert LANGUAGE_COOKIE not in str(response.headers.getlist("Set-Cookie"))
    client.set_cookie(LANGUAGE_COOKIE, "xx")  # a forged cookie falls back to the browser's
    assert lang(client.get("/auth/login", headers={"Accept-Language": "zh"})) == "zh-CN"


def test_the_switcher_needs_the_form_token_and_stays_on_this_site(client):
    refused = client.post("/language", data={"language": "zh_CN"})
    assert refused.status_code == 400
    assert LANGUAGE_COOKIE not in str(refused.headers.getlist("Set-Cookie"))
    away = client.post(
        "/language",
        data={"language": "zh_CN", "next": "https://evil.example/", "csrf_token": csrf(client)},
    )
    assert away.headers["Location"] == "/launch/"


def test_the_cookie_is_secure_when_the_session_cookie_is(app, client):
    app.config["SESSION_COOKIE_SECURE"] = True
    response = client.post("/language", data={"language": "zh_CN", "csrf_token": csrf(client)})
    cookie = next(
        c for c in response.headers.getlist("Set-Cookie") if c.startswith(LANGUAGE_COOKIE)
    )
    assert "; Secure" in cookie


def test_wtforms_own_messages_follow_the_language(wizard):
    wizard.client.set_cookie(LANGUAGE_COOKIE, "zh_CN")
    wizard.open()
    html = wizard.post("details", count="").get_data(as_text=True)
    assert "This field is required." not in html
    assert "Not a valid integer value." not in html


def test_dates_follow_the_language(app):
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert moment("2026-12-01T20:34:16Z") == "2026年12月1日 20:34:16"
        assert day("2026-12-01T20:34:16Z") == "2026年12月1日"
    with app.test_request_context():
        assert moment("2026-12-01T20:34:16Z") == "Dec 1, 2026, 8:34:16\u202fPM"
        assert day("2026-12-01T20:34:16+00:00") == "Dec 1, 2026"
        assert moment("not a time") == "not a time"


def test_a_language_offered_without_a_catalog_stops_the_app(tmp_path):
    with pytest.raises(ValueError, match="'fr', which has no catalog"):
        create_app({"LANGUAGES": ["en", "fr"]}, instance_path=str(tmp_path))


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_quota_figures_are_written_the_languages_way(wizard, language):
    """The demo project's 51,200 MB of RAM, grouped as the language groups digits
    (a comma in both of these), in the bars and in the sizes."""
    wizard.client.set_cookie(LANGUAGE_COOKIE, language)
    wizard.open()
    wizard.fill_all()
    html = wizard.page("flavor")
    figures = re.findall(r'<span class="quota-figures">([^<]*)', html)
    assert any("51,200" in line for line in figures), figures
    assert not any("51200" in line for line in figures), figures
    with wizard.client.application.test_request_context(), flask_babel.force_locale("de"):
        assert size_mb(1536) == "1,5 GB"
