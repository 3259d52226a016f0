"""A fake OpenStack of two regions (requests-mock): every service has an endpoint
in RegionOne and another, at other URLs, in RegionTwo; and a portal on it."""

from __future__ import annotations

import dataclasses
import re

from keystoneauth1 import fixture as ks_fixture

from tests.helpers.fake_cloud import ALL_SERVICES
from tests.helpers.fake_cloud import FakeCloud
from tests.helpers.fake_cloud import nova_server
from tests.helpers.wizard import Wizard
from webapp.cloud.errors import NotFound

#: RegionTwo's public endpoints, beside FakeCloud's (RegionOne's)
REGION_TWO = {
    "compute": "https://nova.two.example.test/v2.1",
    "image": "https://glance.two.example.test",
    "network": "https://neutron.two.example.test",
    "block-storage": "https://cinder.two.example.test/v3",
}


class TwoRegionCloud(FakeCloud):
    """:class:`FakeCloud` whose scoped tokens list RegionOne and RegionTwo, each
    region's endpoints at its own URLs."""

    nova_two = REGION_TWO["compute"]
    glance_two = REGION_TWO["image"]

    def token(
        self,
        project_id: str | None = None,
        *,
        services: tuple[str, ...] = ALL_SERVICES,
        urls: dict[str, str] | None = None,
    ) -> ks_fixture.V3Token:
        token = super().token(project_id, services=services, urls=urls)
        if project_id is not None:
            # the fixture's services, each given RegionTwo's endpoints too
            for service in token["token"]["catalog"]:
                url = REGION_TWO[service["type"]]
                service.add_standard_endpoints(
                    public=url, internal=f"{url}/internal", region="RegionTwo"
                )
        return token

    def lists(self) -> None:
        """A flavor, an image and a server in each region, named after it (m1.one,
        cirros-two, vm-one...), and each region's Nova version document."""
        for region, nova, glance in (
            ("one", self.nova, self.glance),
            ("two", self.nova_two, self.glance_two),
        ):
            self.http.get(nova, json=_version(nova))
            self.http.get(
                f"{nova}/flavors/detail",
                json={"flavors": [_flavor(f"fl-{region}", f"m1.{region}")]},
            )
            self.http.get(
                f"{glance}/v2/images",
                json={"images": [_image(f"img-{region}", f"cirros-{region}")]},
            )
            server = nova_server(
                id=f"srv-{region}", name=f"vm-{region}", image={"id": f"img-{region}"}
            )
            self.http.get(f"{nova}/servers/detail", json={"servers": [server]})


def portal(app_factory, cloud: TwoRegionCloud, **settings) -> Wizard:
    """A portal on ``cloud`` (``app_factory(config)`` makes the app), logged in."""
    app = app_factory({"CLOUD_AUTH_URL": cloud.auth_url, **settings})
    wizard = Wizard(app.test_client())
    wizard.login(cloud.user_name, cloud.password)
    return wizard


def header_region(html: str) -> str | None:
    """The region the page's header shows: the switcher's chosen option, or the
    plain text when there is no switcher."""
    switcher = re.search(r'<select id="region-select" name="region">(.*?)</select>', html, re.S)
    if switcher:
        chosen = re.search(r'<option value="([^"]+)" selected>', switcher.group(1))
        return chosen.group(1) if chosen else None
    found = re.search(r'<span class="region-name">([^<]+)</span>', html)
    return found.group(1) if found else None


def switch_region(wizard: Wizard, region: str, *, htmx: bool = False, page: str = "/servers/"):
    """Post the header's region switcher of ``page``, as the browser (or htmx)
    would: its "next" as the page gives it (the page's URL when it shows no
    switcher, for a region it would not offer)."""
    html = wizard.client.get(page).get_data(as_text=True)
    form = re.search(r'<form class="region-switch".*?</form>', html, re.S)
    found = form and re.search(r'name="next" value="([^"]*)"', form.group(0))
    headers = {"HX-Request": "true"} if htmx else {}
    return wizard.client.post(
        "/auth/region",
        data={
            "csrf_token": wizard.csrf(html),
            "region": region,
            "next": found.group(1) if found else page,
        },
        headers=headers,
    )


def _version(nova: str) -> dict:
    return {
        "version": {
            "id": "v2.1",
            "status": "CURRENT",
            "version": "2.96",
            "min_version": "2.1",
            "links": [{"rel": "self", "href": f"{nova}/"}],
        }
    }


def _flavor(flavor_id: str, name: str) -> dict:
    return {
        "id": flavor_id,
        "name": name,
        "vcpus": 1,
        "ram": 512,
        "disk": 1,
        "OS-FLV-EXT-DATA:ephemeral": 0,
        "os-flavor-access:is_public": True,
        "swap": "",
        "rxtx_factor": 1.0,
        "OS-FLV-DISABLED:disabled": False,
        "description": None,
        "extra_specs": {},
    }


def _image(image_id: str, name: str) -> dict:
    return {
        "id": image_id,
        "name": name,
        "status": "active",
        "visibility": "public",
        "disk_format": "qcow2",
        "container_format": "bare",
        "size": 1024,
        "min_disk": 0,
        "min_ram": 0,
    }


class TwoRegionDemo:
    """The demo cloud as if its catalog had two regions (its lists are the same in
    both): for the web layer's handling of regions, wizards included."""

    regions = ("RegionOne", "RegionTwo")

    def __init__(self, demo) -> None:
        self._demo = demo

    def __getattr__(self, name):
        return getattr(self._demo, name)

    def login(self, *args, **kwargs):
        return dataclasses.replace(self._demo.login(*args, **kwargs), regions=self.regions)

    def switch_project(self, identity, project_id):
        switched = self._demo.switch_project(identity, project_id)
        return dataclasses.replace(switched, region=identity.region, regions=identity.regions)

    def switch_region(self, identity, region):
        if region not in identity.regions:
            raise NotFound(f"No region {region}.")
        return dataclasses.replace(identity, region=region)
