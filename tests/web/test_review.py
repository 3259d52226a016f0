"""The Review step lists every choice in words, as a page and as a panel: each
term beside its values, one per line, and a way back to each step."""

from __future__ import annotations

import re

import pytest

HTMX = pytest.mark.parametrize("htmx", [False, True], ids=["page", "panel"])


def terms(html: str) -> dict[str, list[str]]:
    """Each term of the review and its values (without the "Change" button)."""
    review = html[html.index('<dl class="review">') : html.index("</dl>")]
    found = re.findall(r"<dt>([^<]+)</dt><dd>(.*?)</dd>", review, re.S)
    return {
        term: re.sub(r"\s*<button.*", "", value, flags=re.S).split("<br>") for term, value in found
    }


def review(wizard, htmx: bool) -> dict[str, list[str]]:
    headers = {"HX-Request": "true"} if htmx else {}
    html = wizard.page("review", **headers)
    assert ("<html" in html) is not htmx
    return terms(html)


@HTMX
def test_every_choice_metadata_and_scheduler_hints_included(wizard, htmx):
    wizard.open()
    wizard.fill_all(
        name="rv",
        description="for the review",
        create_volume="y",
        volume_size="3",
        volume_type="ssd",
        delete_on_termination="y",
        data_volume_size="5",
        data_volume_count="2",
        admin_pass="s3cret-pass",
        confirm_admin_pass="s3cret-pass",
    )
    wizard.post(
        "network",
        nic_1=wizard.option("network", "private"),
        ip_1="10.0.0.9",
        nic_2=wizard.option("network", "shared-net"),
    )
    wizard.post(
        "config",
        user_data="#!/bin/sh\n",
        config_drive="y",
        disk_config="AUTO",
        server_group=wizard.option("config", "db-affinity"),
        metadata="role=web\nteam = ops",
        tags="a, b",
        hostname="rv-host",
        scheduler_hints="group=abc\nsame_host=x1",
    )
    shown = review(wizard, htmx)
    assert shown == {
        "Project": ["demo"],
        "Name": ["rv"],
        "Description": ["for the review"],
        "Availability zone": ["nova"],
        "Expires": ["never"],
        "Boot source": ["cirros-0.6.3 (image)"],
        "Boot volume": ["a new volume of 3 GB, type ssd, deleted with the server"],
        "Data volumes": ["2 × 5 GB, kept when the server is deleted"],
        "Flavor": ["m1.tiny: 1 vCPU, 512 MB RAM, 1 GB disk"],
        "Networks": ["private (10.0.0.9)", "shared-net"],
        "Key pair": ["demo-key"],
        "Security groups": ["default"],
        "Admin password": ["set"],
        "Customisation script": ["script of 10 bytes"],
        "Config drive": ["yes"],
        "Disk partition": ["automatic"],
        "Server group": ["db-affinity (affinity)"],
        "Tags": ["a, b"],
        "Hostname": ["rv-host"],
        "Metadata": ["role = web", "team = ops"],
        "Scheduler hints": ["group = abc", "same_host = x1"],
    }


def test_each_step_has_its_way_back(wizard):
    wizard.open()
    wizard.fill_all()
    html = wizard.page("review")
    changes = re.findall(r'value="step:(\w+)" class="link" formnovalidate>Change (\w+)<', html)
    assert changes == [
        ("details", "details"),
        ("source", "source"),
        ("flavor", "flavor"),
        ("network", "networks"),
        ("access", "access"),
        ("config", "configuration"),
    ]


def test_several_servers_and_a_volume_snapshot_without_configuration(wizard):
    wizard.open()
    wizard.fill_all(name="many", count="3", image="debian-boot-snapshot", flavor="m1.small")
    shown = review(wizard, False)
    assert shown["Name"] == ["many × 3 (many-1 … many-3)"]
    assert shown["Boot source"] == ["debian-boot-snapshot (volume snapshot)"]
    assert shown["Boot volume"] == ["a new volume of 20 GB, kept when the server is deleted"]
    assert shown["Customisation script"] == ["no script"]


def test_an_existing_volume(wizard):
    wizard.open()
    wizard.fill_all(image="debian-boot", flavor="m1.small", delete_on_termination="y")
    shown = review(wizard, False)
    assert shown["Boot source"] == ["debian-boot (volume)"]
    assert shown["Boot volume"] == ["the volume itself, deleted with the server"]
    assert shown["Data volumes"] == ["none"]
    assert shown["Metadata"] == ["none"] and shown["Scheduler hints"] == ["none"]
    assert shown["Admin password"] == ["not set"]
