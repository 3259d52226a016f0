"""The API request shown on Review is the body Skiff's connection really sends.

Each case launches the same ServerRequest through OpenStackConnection.create_servers
against the fake cloud (requests-mock) and compares what Nova received with
``api_request(...).body``; only the admin password differs (masked).
"""

import base64
import gzip
import json

import pytest

from tests.helpers.fake_cloud import nova_server
from webapp.cloud import errors
from webapp.cloud import models
from webapp.cloud.equivalents.api import PASSWORD_MASK
from webapp.cloud.equivalents.api import api_request

NET = "11111111-1111-1111-1111-111111111111"
SHARED = "22222222-2222-2222-2222-222222222222"
IMAGE = "aaaaaaaa-0000-0000-0000-000000000001"
VOLUME = "bbbbbbbb-0000-0000-0000-000000000002"
SNAPSHOT = "cccccccc-0000-0000-0000-000000000003"
INSTANCE_SNAPSHOT = "dddddddd-0000-0000-0000-000000000004"
GZIPPED = gzip.compress(b"#cloud-config\npackages: [nginx]\n", mtime=0)


def sent_by_launch(cloud, provider, request, microversion):
    """The JSON body and headers Skiff's connection POSTs to Nova for ``request``."""
    cloud.nova_version(microversion)

    def answer(http_request, context):
        context.status_code = 202
        if http_request.json()["server"].get("return_reservation_id"):
            return {"reservation_id": "r-abc"}
        return {"server": {"id": "srv-1", "links": []}}

    create = cloud.http.post(f"{cloud.nova}/servers", json=answer)
    cloud.http.get(
        f"{cloud.nova}/servers/detail",
        json={"servers": [nova_server(id="s1"), nova_server(id="s2", name="web-2")]},
    )
    provider.connect(cloud.identity()).create_servers(request)
    return create.last_request.json(), create.last_request.headers


def server(**values):
    values = {"name": "web", "flavor_id": "42", "image_id": IMAGE, **values}
    return models.ServerRequest(**values)


ON_NET = (models.Nic(network_id=NET),)

CASES = {
    "image": ("2.96", server(networks=ON_NET)),
    "image-at-2.1": ("2.1", server(networks=ON_NET)),
    "instance-snapshot": ("2.96", server(image_id=INSTANCE_SNAPSHOT, networks=ON_NET)),
    "image-to-new-volume": (
        "2.96",
        server(
            image_id=None,
            networks=ON_NET,
            block_devices=(
                models.BlockDevice(
                    "image",
                    uuid=IMAGE,
                    volume_size=10,
                    delete_on_termination=True,
                    volume_type="ssd",
                ),
            ),
        ),
    ),
    "image-to-new-volume-untyped-at-2.60": (
        "2.60",
        server(
            image_id=None,
            networks=ON_NET,
            block_devices=(models.BlockDevice("image", uuid=IMAGE, volume_size=10),),
        ),
    ),
    "volume": (
        "2.96",
        server(
            image_id=None,
            networks=ON_NET,
            block_devices=(models.BlockDevice("volume", uuid=VOLUME),),
        ),
    ),
    "volume-snapshot-to-new-volume": (
        "2.96",
        server(
            image_id=None,
            networks=ON_NET,
            block_devices=(
                models.BlockDevice(
                    "snapshot", uuid=SNAPSHOT, volume_size=20, delete_on_termination=True
                ),
            ),
        ),
    ),
    "image-with-blank-data-volumes": (
        "2.96",
        server(
            networks=ON_NET,
            block_devices=(
                models.BlockDevice(
                    "blank", boot_index=-1, volume_size=5, delete_on_termination=True
                ),
            )
            * 2,
        ),
    ),
    "networks-fixed-ips-and-ports": (
        "2.96",
        server(
            networks=(
                models.Nic(port_id="port-1"),
                models.Nic(network_id=NET, fixed_ip="10.0.0.9"),
                models.Nic(network_id=SHARED, fixed_ip="fd00::9"),
                models.Nic(network_id=SHARED),
            )
        ),
    ),
    "auto-at-2.37": ("2.37", server(networks="auto")),
    "none-at-2.37": ("2.37", server(networks="none")),
    "auto-below-2.37": ("2.36", server(networks="auto")),
    "nothing-chosen-at-2.96": ("2.96", server(networks=())),
    "nothing-chosen-below-2.37": ("2.36", server(networks=())),
    "access-and-placement": (
        "2.96",
        server(
            networks=ON_NET,
            availability_zone="az-2",
            key_name="laptop",
            security_groups=("default", "web"),
        ),
    ),
    "user-data-text": (
        "2.96",
        server(networks=ON_NET, user_data="#!/bin/sh\necho 'héllo' > /tmp/x\n"),
    ),
    "user-data-gzip": ("2.96", server(networks=ON_NET, user_data=GZIPPED)),
    "every-other-option": (
        "2.96",
        server(
            networks=ON_NET,
            admin_password="s3cret",
            config_drive=True,
            disk_config="AUTO",
            metadata={"owner": "web team", "tier": "front"},
            tags=("web", "prod"),
            hostname="web-01.example.org",
            description="front end",
            server_group="group-1",
            scheduler_hints={"different_host": "srv-0"},
        ),
    ),
    "description-dropped-below-2.19": ("2.18", server(networks=ON_NET, description="front end")),
    "hints-without-group": ("2.96", server(networks=ON_NET, scheduler_hints={"same_host": "s"})),
    "several": ("2.96", server(networks=ON_NET, count=3, admin_password="s3cret")),
}


@pytest.mark.parametrize(("microversion", "request_"), CASES.values(), ids=CASES.keys())
def test_body_is_what_a_launch_sends(cloud, provider, microversion, request_):
    sent, headers = sent_by_launch(cloud, provider, request_, microversion)
    if request_.admin_password:
        assert sent["server"]["adminPass"] == request_.admin_password
        sent["server"]["adminPass"] = PASSWORD_MASK

    shown = api_request(request_, microversion)

    assert shown.body == sent
    # novaclient's key order too, which is what text() shows
    assert json.dumps(shown.body) == json.dumps(sent)
    assert (shown.method, shown.path) == ("POST", "/servers")
    for name, value in shown.headers.items():
        if name != "Content-Type":
            assert headers[name] == value


def test_admin_password_never_shown():
    shown = api_request(server(networks=ON_NET, admin_password="s3cret-Pa55"), "2.96")

    assert shown.body["server"]["adminPass"] == PASSWORD_MASK
    assert "s3cret-Pa55" not in shown.text()
    assert "s3cret-Pa55" not in repr(shown)


def test_no_password_no_adminpass():
    assert "adminPass" not in api_request(server(networks=ON_NET), "2.96").body["server"]


def test_user_data_is_base64_of_the_text_or_bytes():
    text = "#!/bin/sh\necho 'héllo'\n"

    as_text = api_request(server(user_data=text), "2.96").body["server"]["user_data"]
    as_bytes = api_request(server(user_data=GZIPPED), "2.96").body["server"]["user_data"]

    assert base64.b64decode(as_text) == text.encode()
    assert base64.b64decode(as_bytes) == GZIPPED


def test_several_ask_for_the_reservation_id():
    sent = api_request(server(count=2), "2.96").body["server"]

    assert sent["return_reservation_id"] is True
    assert (sent["min_count"], sent["max_count"]) == (2, 2)


def test_text_is_a_readable_http_request():
    shown = api_request(
        server(networks=ON_NET, admin_password="s3cret", metadata={"b": "2", "a": "é"}), "2.96"
    )

    head, blank, body = shown.text().partition("\n\n")
    assert blank
    assert head.splitlines() == [
        "POST /servers",
        "OpenStack-API-Version: compute 2.96",
        "X-OpenStack-Nova-API-Version: 2.96",
        "Content-Type: application/json",
    ]
    assert json.loads(body) == shown.body
    # indented by 2, keys as novaclient put them
    assert body.startswith('{\n  "server": {\n    "name": "web",\n    "imageRef": ')
    assert list(json.loads(body)["server"]["metadata"]) == ["b", "a"]


@pytest.mark.parametrize(
    ("microversion", "headers"),
    [
        ("2.26", ["X-OpenStack-Nova-API-Version: 2.26"]),
        (
            "2.27",
            ["OpenStack-API-Version: compute 2.27", "X-OpenStack-Nova-API-Version: 2.27"],
        ),
    ],
)
def test_version_headers_are_novaclients(microversion, headers):
    head = api_request(server(), microversion).text().partition("\n\n")[0]

    assert head.splitlines() == ["POST /servers", *headers, "Content-Type: application/json"]


@pytest.mark.parametrize(
    ("microversion", "change", "message"),
    [
        ("2.51", {"tags": ("web",)}, "Tags need compute API 2.52"),
        ("2.89", {"hostname": "web-01"}, "A hostname needs compute API 2.90"),
        (
            "2.66",
            {
                "image_id": None,
                "block_devices": (
                    models.BlockDevice("image", uuid=IMAGE, volume_size=1, volume_type="ssd"),
                ),
            },
            "Volume types need compute API 2.67",
        ),
        ("2.36", {"networks": "none"}, "This cloud cannot create a server without a network."),
        (
            "2.96",
            {"networks": (models.Nic(network_id=NET, fixed_ip="10.0.0.300"),)},
            "10.0.0.300 is not a valid IP address.",
        ),
    ],
)
def test_refused_like_a_launch(cloud, provider, microversion, change, message):
    with pytest.raises(errors.InvalidRequest) as shown:
        api_request(server(**change), microversion)
    cloud.nova_version(microversion)
    with pytest.raises(errors.InvalidRequest) as launched:
        provider.connect(cloud.identity()).create_servers(server(**change))

    assert shown.value.message == launched.value.message == message


def test_no_network_is_used(requests_mock):
    # requests_mock answers nothing: any HTTP call would raise NoMockAddress
    api_request(server(count=2, networks=ON_NET), "2.96")

    assert requests_mock.call_count == 0
