"""Every rule the launch wizard checks before Nova is asked, step by step, on a
catalog made here; and the one ServerRequest each boot source becomes."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.helpers.launch_forms import SETTINGS
from tests.helpers.launch_forms import launch_wizard
from tests.helpers.launch_forms import post
from tests.helpers.launch_forms import through
from webapp.cloud.catalog import Catalog
from webapp.cloud.models import Features
from webapp.cloud.models import Flavor
from webapp.cloud.models import Image
from webapp.cloud.models import KeyPair
from webapp.cloud.models import Limits
from webapp.cloud.models import Network
from webapp.cloud.models import Port
from webapp.cloud.models import SecurityGroup
from webapp.cloud.models import ServerGroup
from webapp.cloud.models import Volume
from webapp.cloud.models import VolumeSnapshot
from webapp.cloud.models import VolumeType
from webapp.forms.launch import LaunchInstance
from webapp.forms.launch import LaunchResources
from webapp.forms.launch.server_request import server_request
from webapp.forms.launch.settings import LaunchSettings
from webapp.workflow import MemoryWizardRecords
from webapp.workflow import WizardStore

GIB = 1024**3
FULL = Features(
    compute_microversion="2.96",
    description=True,
    tags=True,
    hostname=True,
    network_auto=True,
    network_none=True,
    volumes=True,
    volume_type=True,
    hostname_fqdn=True,
)
CATALOG = Catalog(
    images=(
        Image("img-small", "small", size_bytes=GIB // 2, min_disk_gb=1, min_ram_mb=64),
        Image("img-big", "big", size_bytes=3 * GIB, min_disk_gb=10, min_ram_mb=1024),
        Image("snap-1", "snap", kind="snapshot", size_bytes=GIB, min_disk_gb=20, min_ram_mb=2048),
    ),
    flavors=(
        Flavor("f-tiny", "tiny", 1, 512, 1),
        Flavor("f-small", "small", 1, 2048, 20),
        Flavor("f-large", "large", 4, 8192, 80),
        Flavor("f-zero", "zero", 2, 2048, 0),
    ),
    keypairs=(KeyPair("mine"),),
    networks=(
        Network("net-a", "a", subnets=("10.0.0.0/24",)),
        Network("net-b", "b", shared=True, subnets=("192.168.1.0/24", "fd00::/64")),
        Network("net-x", "x", has_subnet=False),
        Network("net-open", "open", port_security=False, subnets=("172.16.0.0/24",)),
    ),
    ports=(Port("port-1", "p1", "net-a", ("10.0.0.50",)),),
    security_groups=(SecurityGroup("sg-d", "default"), SecurityGroup("sg-w", "web")),
    volumes=(
        Volume("vol-boot", "bootable", 5, bootable=True, image_min_ram_mb=512),
        Volume("vol-data", "data", 50),
    ),
    volume_snapshots=(VolumeSnapshot("vsnap-1", "vsnap", 8, "vol-boot", bootable=True),),
    volume_types=(VolumeType("t-1", "standard", is_default=True), VolumeType("t-2", "ssd")),
    server_groups=(ServerGroup("sg-1", "spread", "anti-affinity"),),
    limits=Limits(
        max_instances=10,
        used_instances=8,
        max_cores=20,
        used_cores=8,
        max_ram_mb=51200,
        used_ram_mb=8192,
        max_server_meta=3,
        max_volumes=5,
        used_volumes=4,
        max_volume_gb=100,
        used_volume_gb=90,
    ),
    features=FULL,
)


@pytest.fixture(autouse=True)
def request_context():
    app = Flask(__name__)
    app.config["SECRET_KEY"] = "test"
    with app.test_request_context():
        yield


def wizard(catalog=CATALOG, **settings):
    return launch_wizard(catalog, **settings)


def test_steps_in_order_and_operator_can_hide_optional_ones():
    assert [s.slug() for s in wizard().steps] == [
        "details",
        "source",
        "flavor",
        "network",
        "access",
        "config",
        "review",
    ]
    state = WizardStore(MemoryWizardRecords()).create(
        "launch_instance", {"project_id": "p", "user_id": "u", "region": "RegionOne"}
    )
    resources = LaunchResources(
        catalog=CATALOG, connect=lambda: None, settings=LaunchSettings(**SETTINGS)
    )
    hidden = LaunchInstance(
        state, resources=resources, permissions=frozenset({"launch.step.config"})
    )
    assert "review" not in [s.slug() for s in hidden.steps]


def test_description_is_hidden_below_microversion_2_19():
    old = Catalog(**{**CATALOG.__dict__, "features": Features(compute_microversion="2.15")})
    action = wizard(old).build_action(wizard(old).get_step("details"))
    assert "description" not in action
    assert "description" in wizard().build_action(wizard().get_step("details"))


def source_action(workflow):
    return workflow.build_action(workflow.get_step("source"))


def test_source_lists_bootable_volumes_and_volume_snapshots_only():
    workflow = wizard()
    through(workflow, "source")
    action = source_action(workflow)
    ids = {c.value for c in action.source_id.choices}
    assert {"img-small", "img-big", "snap-1", "vol-boot", "vsnap-1"} <= ids
    assert "vol-data" not in ids
    tabs = [(kind, count) for kind, _, count in action.picker().tabs]
    assert tabs == [("image", 2), ("snapshot", 1), ("volume", 1), ("volume_snapshot", 1)]


def test_operators_default_source_kind_is_listed_first():
    workflow = wizard(default_source="volume")
    through(workflow, "source")
    picker = source_action(workflow).picker()
    assert [kind for kind, _, _ in picker.tabs][0] == "volume"
    assert picker.kind == "volume"  # the tab shown first
    assert [row.id for row in picker.rows] == ["vol-boot"]


def test_disabled_sources_are_not_offered():
    workflow = wizard(disabled_sources=("volume_snapshot",))
    through(workflow, "source")
    action = source_action(workflow)
    assert "vsnap-1" not in {c.value for c in action.source_id.choices}
    assert "volume_snapshot" not in [kind for kind, _, _ in action.picker().tabs]


def test_existing_volume_forces_count_one():
    workflow = wizard()
    through(workflow, "source", details={"count": "2"})
    errors, _ = post(workflow, "source", source_id="vol-boot")
    assert "An existing volume can boot one server only; you asked for 2" in errors["source_id"][0]


def test_boot_volume_size_must_reach_the_sources_minimum():
    workflow = wizard()
    through(workflow, "source")
    errors, _ = post(workflow, "source", source_id="img-big", create_volume="y", volume_size="5")
    assert errors == {"volume_size": ["The boot volume must be at least 10 GB for this source."]}
    errors, _ = post(workflow, "source", source_id="vsnap-1", volume_size="7")
    assert errors == {"volume_size": ["The boot volume must be at least 8 GB for this source."]}
    errors, _ = post(workflow, "source", source_id="img-big", create_volume="y", volume_size="10")
    assert errors == {}
    assert workflow.context["boot_volume"] is True
    assert workflow.context["volumes_per_server"] == [1, 10]


def test_volume_quota_is_checked_before_nova_accepts_and_fails_later():
    workflow = wizard()
    through(workflow, "source", details={"count": "2"})
    errors, _ = post(workflow, "source", source_id="img-small", create_volume="y")
    assert errors["source_id"] == [
        "2 volumes for 2 servers would go over the project's limit of 5 volumes; 4 are in use."
    ]
    workflow = wizard()
    through(workflow, "source")
    errors, _ = post(workflow, "source", source_id="img-small", data_volume_size="11")
    assert errors["source_id"] == [
        "11 GB of volume storage would go over the project's limit of 100 GB; 90 GB are in use."
    ]


@pytest.mark.parametrize(
    ("source", "boot_volume", "flavor", "reason"),
    [
        (
            "img-big",
            False,
            "f-tiny",
            "tiny cannot be used: the source needs 1 GB of RAM; it has 512 MB.",
        ),
        (
            "img-big",
            True,
            "f-tiny",
            "tiny cannot be used: the source needs 1 GB of RAM; it has 512 MB.",
        ),
        (
            "snap-1",
            False,
            "f-tiny",
            "tiny cannot be used: the source needs 2 GB of RAM; it has 512 MB.",
        ),
        ("snap-1", False, "f-small", None),
        ("img-big", False, "f-large", None),
        (
            "img-small",
            False,
            "f-zero",
            "zero cannot be used: it has no root disk: boot from a volume (Source step).",
        ),
        ("img-small", True, "f-zero", None),
        ("vol-boot", True, "f-tiny", None),
    ],
)
def test_flavor_against_the_source(source, boot_volume, flavor, reason):
    workflow = wizard()
    through(
        workflow,
        "flavor",
        source={"source_id": source, "create_volume": "y" if boot_volume else ""},
    )
    errors, _ = post(workflow, "flavor", flavor=flavor)
    assert errors == ({"flavor": [reason]} if reason else {})


def test_count_over_the_instances_quota_is_refused_on_details():
    errors, _ = post(wizard(), "details", name="vm", count="3")
    assert errors == {
        "count": ["3 instances would go over the project's limit of 10; 8 are in use."]
    }


def test_flavor_over_the_vcpus_quota_for_the_count():
    workflow = wizard()
    through(workflow, "flavor", details={"count": "2"})
    errors, action = post(workflow, "flavor", flavor="f-large")
    assert errors == {}
    rows = {row.label: row for row in action.quota()}
    assert rows["vCPUs"].launch == 8 and rows["vCPUs"].fits is True
    assert rows["Instances"].launch == 2 and rows["Instances"].left == 0


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"nic_1": ""}, "nic_1", "Choose a network."),
        ({"nic_1": "net-x"}, "nic_1", "Not a valid choice."),
        ({"nic_1": "net-a", "nic_2": "net-a"}, "nic_2", "Each network or port can be chosen once."),
        (
            {"nic_1": "none", "nic_2": "net-a"},
            "nic_2",
            "Automatic or no network cannot be combined",
        ),
        (
            {"nic_1": "net-a", "ip_1": "10.0.1.5"},
            "ip_1",
            "10.0.1.5 is not in the subnets of a (10.0.0.0/24).",
        ),
        ({"nic_1": "net-a", "ip_1": "ten"}, "ip_1", "ten is not an IP address."),
        ({"nic_1": "port:port-1", "ip_1": "10.0.0.9"}, "ip_1", "A port brings its own address"),
        (
            {"nic_1": "net-a", "nic_2": "", "ip_2": "10.0.0.9"},
            "ip_2",
            "Choose the interface's network first.",
        ),
    ],
)
def test_network_rules(data, field, message):
    workflow = wizard()
    through(workflow, "network")
    errors, _ = post(workflow, "network", **data)
    assert any(message in m for m in errors.get(field, [])), errors


def test_ports_and_fixed_ips_refuse_count_above_one():
    workflow = wizard()
    through(workflow, "network", details={"count": "2"})
    errors, _ = post(workflow, "network", nic_1="port:port-1")
    assert errors["nic_1"] == ["A port can serve one server only; you asked for 2 (Details)."]
    errors, _ = post(workflow, "network", nic_1="net-b", ip_1="fd00::5")
    assert errors["ip_1"] == ["A fixed IP can go to one server only; you asked for 2 (Details)."]


def test_networks_contribute_in_order_with_fixed_ips():
    workflow = wizard()
    through(workflow, "network")
    errors, _ = post(
        workflow, "network", nic_1="net-b", ip_1="fd00::5", nic_2="port:port-1", nic_3="net-a"
    )
    assert errors == {}
    assert workflow.context["networks"] == [
        {"network_id": "net-b", "fixed_ip": "fd00::5"},
        {"port_id": "port-1"},
        {"network_id": "net-a", "fixed_ip": None},
    ]


def test_auto_is_offered_only_without_a_usable_network():
    workflow = wizard()
    through(workflow, "network")
    values = [c.value for c in workflow.build_action(workflow.get_step("network")).nic_1.choices]
    assert "auto" not in values and "none" in values
    bare = Catalog(**{**CATALOG.__dict__, "networks": (Network("net-x", "x", has_subnet=False),)})
    workflow = wizard(bare)
    through(workflow, "network")
    values = [c.value for c in workflow.build_action(workflow.get_step("network")).nic_1.choices]
    assert "auto" in values


def test_security_groups_disappear_without_port_security():
    workflow = wizard()
    through(workflow, "access", network={"nic_1": "net-open"})
    action = workflow.build_action(workflow.get_step("access"))
    assert "security_groups" not in action
    workflow = wizard()
    through(workflow, "access")
    action = workflow.build_action(workflow.get_step("access"))
    assert action.security_groups.data == ["default"]
    assert action.keypair.data == "mine"  # the only key pair is preselected


ED25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPd3mVqLq1zX0m2o8mJ1m7QeUu3kYw1c0fJr0Xk7c9Qh me@host"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"public_key": "-----BEGIN OPENSSH PRIVATE KEY-----"},
            "public_key",
            "Paste an OpenSSH public key",
        ),
        (
            {"public_key": "ssh-ed25519 !!!!", "new_keypair_name": "k"},
            "public_key",
            "The key's base64 part is damaged.",
        ),
        (
            {"public_key": "ssh-rsa " + ED25519.split()[1], "new_keypair_name": "k"},
            "public_key",
            "does not match its type ssh-rsa",
        ),
        ({"public_key": ED25519}, "public_key", "The key needs a name"),
        (
            {"public_key": ED25519, "new_keypair_name": "mine"},
            "public_key",
            "A key pair named mine exists already",
        ),
        (
            {"public_key": ED25519, "new_keypair_name": "bad/name"},
            "public_key",
            "Key pair names use letters",
        ),
        (
            {"admin_pass": "short", "confirm_admin_pass": "short"},
            "admin_pass",
            "Field must be between 8 and 255 characters long.",
        ),
        (
            {"admin_pass": "long enough", "confirm_admin_pass": "different"},
            "confirm_admin_pass",
            "The passwords differ.",
        ),
    ],
)
def test_access_rules(data, field, message):
    workflow = wizard()
    through(workflow, "access")
    errors, _ = post(workflow, "access", keypair="", **data)
    assert any(message in m for m in errors.get(field, [])), errors


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"user_data": "x" * 49_150},
            "user_data",
            "The script is 49,150 bytes. At most 49,149 bytes (Nova's limit, 65,535 once",
        ),
        ({"metadata": "a=1\nb=2\nc=3\nd=4"}, "metadata", "4 items: this project allows at most 3."),
        ({"metadata": "bad/key=1"}, "metadata", "Key 'bad/key': use 1 to 255"),
        ({"metadata": "k=" + "v" * 256}, "metadata", "longer than 255"),
        (
            {"metadata": "no equals sign"},
            "metadata",
            "Line 1: write each metadata item as key=value.",
        ),
        ({"tags": ",".join(f"t{i}" for i in range(51))}, "tags", "51 tags: Nova takes at most 50."),
        ({"tags": "a/b"}, "tags", "without '/'"),
        ({"hostname": "-bad-"}, "hostname", "Use 2 to 63 letters"),
        ({"hostname": "web.example..org"}, "hostname", "is not a valid domain name"),
        ({"server_group": "nope"}, "server_group", "Not a valid choice."),
        ({"disk_config": "SOMETIMES"}, "disk_config", "Not a valid choice."),
    ],
)
def test_config_rules(data, field, message):
    workflow = wizard()
    through(workflow, "config")
    errors, _ = post(workflow, "config", **data)
    assert any(message in m for m in errors.get(field, [])), errors


def test_hostname_with_count_above_one_is_refused():
    workflow = wizard()
    through(workflow, "config", details={"count": "2"})
    errors, _ = post(workflow, "config", hostname="web")
    assert errors["hostname"] == ["One hostname cannot go to 2 servers (Details): leave it empty."]


def test_tags_and_hostname_are_hidden_below_their_microversions():
    old = Catalog(
        **{**CATALOG.__dict__, "features": Features(compute_microversion="2.51", description=True)}
    )
    workflow = wizard(old)
    through(workflow, "config")
    action = workflow.build_action(workflow.get_step("config"))
    assert "tags" not in action and "hostname" not in action


ROOMY = Catalog(**{**CATALOG.__dict__, "limits": Limits()})


def finished(**overrides):
    workflow = wizard(ROOMY)
    through(workflow, "review", **overrides)
    workflow.validate_all()
    assert workflow.errors == {}
    return server_request(ROOMY, workflow.context)


def test_request_for_an_image_boot():
    request = finished(
        config={
            "metadata": "role=web",
            "tags": "a, b",
            "hostname": "web-1",
            "server_group": "sg-1",
            "config_drive": "y",
            "disk_config": "AUTO",
            "scheduler_hints": "different_host=abc",
            "user_data": "#!/bin/sh",
        }
    )
    assert request.image_id == "img-small" and request.block_devices == ()
    assert request.networks[0].network_id == "net-a"
    assert request.metadata == {"role": "web"} and request.tags == ("a", "b")
    assert (request.hostname, request.server_group, request.config_drive, request.disk_config) == (
        "web-1",
        "sg-1",
        True,
        "AUTO",
    )
    assert request.scheduler_hints == {"different_host": "abc"}
    assert request.key_name == "mine" and request.security_groups == ("default",)


def test_request_for_an_existing_volume():
    request = finished(source={"source_id": "vol-boot"})
    assert request.image_id is None
    (boot,) = request.block_devices
    assert (boot.source_type, boot.uuid, boot.boot_index, boot.volume_size) == (
        "volume",
        "vol-boot",
        0,
        None,
    )


def test_request_for_an_image_to_a_new_volume_with_type_and_a_data_volume():
    request = finished(
        source={
            "source_id": "img-small",
            "create_volume": "y",
            "volume_type": "ssd",
            "delete_on_termination": "y",
            "data_volume_size": "5",
        },
        flavor={"flavor": "f-small"},
    )
    assert request.image_id is None
    boot, data = request.block_devices
    # Empty size: the largest of the image's needs and the flavor's disk.
    assert (
        boot.source_type,
        boot.uuid,
        boot.volume_size,
        boot.volume_type,
        boot.delete_on_termination,
    ) == ("image", "img-small", 20, "ssd", True)
    assert (data.source_type, data.boot_index, data.volume_size, data.uuid) == (
        "blank",
        -1,
        5,
        None,
    )


def test_several_data_volumes_and_their_quota():
    request = finished(
        source={"source_id": "img-small", "data_volume_size": "2", "data_volume_count": "3"}
    )
    assert [d.source_type for d in request.block_devices] == ["blank"] * 3
    workflow = wizard()
    through(workflow, "source")
    errors, _ = post(
        workflow, "source", source_id="img-small", data_volume_size="1", data_volume_count="2"
    )
    assert errors["source_id"] == [
        "2 volumes would go over the project's limit of 5 volumes; 4 are in use."
    ]


def test_request_for_a_volume_snapshot():
    request = finished(source={"source_id": "vsnap-1", "volume_size": "9"})
    (boot,) = request.block_devices
    assert (boot.source_type, boot.uuid, boot.volume_size) == ("snapshot", "vsnap-1", 9)


def test_scripts_and_pairs_posted_with_crlf_reach_nova_with_unix_newlines():
    request = finished(config={"user_data": "#!/bin/sh\r\necho hi\r\n", "metadata": "a=1\r\nb=2"})
    assert request.user_data == "#!/bin/sh\necho hi\n"
    assert request.metadata == {"a": "1", "b": "2"}
