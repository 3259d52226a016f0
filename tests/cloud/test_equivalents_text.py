"""The ``openstack server create`` command and the OpenTofu configuration shown on
Review make the same server(s) as the ServerRequest Skiff sends.

The command is read back with shlex (and bash), parsed by python-openstackclient's
own parser, and run through its ``take_action`` to the body it would POST, which
must be the body Skiff's connection POSTs. The configuration is parsed by
python-hcl2 and its values compared with the request.
"""

import gzip
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

from tests.helpers.equivalents import EVERY_OPTION
from tests.helpers.equivalents import FIXED_V4
from tests.helpers.equivalents import FIXED_V6
from tests.helpers.equivalents import GROUP
from tests.helpers.equivalents import IMAGE
from tests.helpers.equivalents import INSTANCE_SNAPSHOT
from tests.helpers.equivalents import NET
from tests.helpers.equivalents import ON_NET
from tests.helpers.equivalents import ON_PORT
from tests.helpers.equivalents import PORT
from tests.helpers.equivalents import SAME_AS_SKIFF
from tests.helpers.equivalents import SHARED
from tests.helpers.equivalents import SNAPSHOT
from tests.helpers.equivalents import SOURCES
from tests.helpers.equivalents import VOLUME
from tests.helpers.equivalents import Template
from tests.helpers.equivalents import command_words
from tests.helpers.equivalents import comparable
from tests.helpers.equivalents import hcl_comments
from tests.helpers.equivalents import hcl_resources
from tests.helpers.equivalents import osc_arguments
from tests.helpers.equivalents import osc_body
from tests.helpers.equivalents import sent_by_skiff
from tests.helpers.equivalents import server
from tests.helpers.equivalents import shell_words
from tests.helpers.equivalents import trailing_comments
from webapp.cloud import models
from webapp.cloud.equivalents import openstack_command
from webapp.cloud.equivalents import terraform_config

INSTANCE = "openstack_compute_instance_v2.web"
BOOT_VOLUME = "openstack_blockstorage_volume_v3.web_boot"

# -- the command --------------------------------------------------------------------


@pytest.mark.parametrize("case", SAME_AS_SKIFF)
def test_the_command_sends_what_skiff_sends(cloud, conn, tmp_path, case):
    request = SAME_AS_SKIFF[case]
    script = tmp_path / "user-data"
    if request.user_data is not None:
        data = request.user_data
        script.write_bytes(data if isinstance(data, bytes) else data.encode())

    command = openstack_command(request, user_data_file=str(script))

    assert comparable(osc_body(command_words(command))) == comparable(
        sent_by_skiff(cloud, conn, request)
    )


@pytest.mark.parametrize(
    ("case", "boot", "taken"),
    [
        ("image", {"image": IMAGE}, 0),
        ("instance-snapshot", {"image": INSTANCE_SNAPSHOT}, 0),
        ("image-to-new-volume", {}, 0),  # --boot-from-volume cannot say its type
        (
            "image-to-new-volume-of-the-default-type",
            {"image": IMAGE, "boot_from_volume": 20, "delete_on_termination": True},
            1,
        ),
        ("image-to-new-volume-kept", {"image": IMAGE, "boot_from_volume": 20}, 1),
        ("volume", {"volume": VOLUME}, 1),
        ("volume-deleted-with-the-server", {}, 0),  # --volume cannot say so
        ("volume-snapshot-to-new-volume", {}, 0),  # --snapshot cannot give a size
        ("volume-snapshot-as-it-is", {"snapshot": SNAPSHOT}, 1),
        ("image-with-data-volumes", {"image": IMAGE}, 0),
    ],
)
def test_command_boot_source(case, boot, taken):
    """OSC's own option for the boot disk where one says it all (it then takes
    ``taken`` of the devices), else a --block-device for it."""
    parsed = osc_arguments(command_words(openstack_command(SOURCES[case])))

    expected = {
        "image": None,
        "volume": None,
        "snapshot": None,
        "boot_from_volume": None,
        "delete_on_termination": False,
        **boot,
    }
    assert {key: getattr(parsed, key) for key in expected} == expected
    assert (parsed.flavor, parsed.server_name) == ("42", "web")
    # the other disks, one --block-device each, as OSC reads them
    devices = SOURCES[case].block_devices[taken:]
    assert [
        {
            "uuid": read.get("uuid"),
            "source_type": read["source_type"],
            "destination_type": read["destination_type"],
            "boot_index": int(read["boot_index"]),
            "volume_size": int(read["volume_size"]) if "volume_size" in read else None,
            "delete_on_termination": read["delete_on_termination"] == "true",
            "volume_type": read.get("volume_type"),
        }
        for read in parsed.block_devices
    ] == [vars(device) for device in devices]


@pytest.mark.parametrize(
    ("networks", "nics"),
    [
        (ON_NET, [{"net-id": NET}]),
        (
            (FIXED_V4, FIXED_V6),
            [
                {"net-id": NET, "v4-fixed-ip": "10.0.0.9"},
                {"net-id": SHARED, "v6-fixed-ip": "fd00::9"},
            ],
        ),
        ((ON_PORT, *ON_NET), [{"port-id": PORT}, {"net-id": NET}]),
        ("auto", ["auto"]),
        ("none", ["none"]),
        ((), []),
    ],
)
def test_command_networks(networks, nics):
    parsed = osc_arguments(
        command_words(openstack_command(server(image_id=IMAGE, networks=networks)))
    )

    blank = {"net-id": "", "port-id": "", "v4-fixed-ip": "", "v6-fixed-ip": ""}
    assert parsed.nics == [nic if isinstance(nic, str) else {**blank, **nic} for nic in nics]


def test_command_names_a_port_of_its_own_with_port():
    networks = (ON_PORT, models.Nic(port_id=PORT, fixed_ip="10.0.0.9"))
    words = command_words(openstack_command(server(image_id=IMAGE, networks=networks)))

    assert words[words.index("--port") + 1] == PORT
    # a port with an address is said by --nic, which can say both
    assert f"port-id={PORT},v4-fixed-ip=10.0.0.9" in words


@pytest.mark.parametrize(
    ("values", "attribute", "expected"),
    [
        ({"security_groups": ("default", "web")}, "security_groups", ["default", "web"]),
        ({"key_name": "alice-key"}, "key_name", "alice-key"),
        ({"user_data": "#!/bin/sh\n"}, "user_data", "user-data"),
        (
            {"metadata": {"owner": "web team", "a": "b=c"}},
            "properties",
            {"owner": "web team", "a": "b=c"},
        ),
        ({"tags": ("web", "prod")}, "tags", ["web", "prod"]),
        ({"scheduler_hints": {"different_host": "srv-0"}}, "hints", {"different_host": ["srv-0"]}),
        ({"server_group": GROUP}, "hints", {"group": [GROUP]}),
        ({"scheduler_hints": {"group": "x"}, "server_group": GROUP}, "hints", {"group": [GROUP]}),
        ({"config_drive": True}, "config_drive", True),
        ({"availability_zone": "zone-b"}, "availability_zone", "zone-b"),
        ({"count": 3}, "min", 3),
        ({"count": 3}, "max", 3),
        ({"description": "Front end"}, "description", "Front end"),
        ({"hostname": "web-01"}, "hostname", "web-01"),
    ],
)
def test_command_option(values, attribute, expected):
    parsed = osc_arguments(command_words(openstack_command(server(image_id=IMAGE, **values))))

    assert getattr(parsed, attribute) == expected


def test_command_leaves_out_what_was_not_chosen():
    parsed = osc_arguments(command_words(openstack_command(server(image_id=IMAGE))))

    assert parsed.security_groups is None and parsed.key_name is None
    assert (parsed.user_data, parsed.properties, parsed.tags, parsed.hints) == (None, None, [], {})
    assert (parsed.config_drive, parsed.min, parsed.max) == (False, 1, 1)
    assert (parsed.description, parsed.hostname, parsed.availability_zone) == (None, None, None)


def test_command_user_data_file_is_named_by_the_caller():
    command = openstack_command(
        server(image_id=IMAGE, user_data=b"\x1f\x8b"), user_data_file="my script.gz"
    )

    assert osc_arguments(command_words(command)).user_data == "my script.gz"


LEASED = {"skiff:expires_at": "2026-12-02T12:00:00Z", 'odd "$key`\\': "x", "role": "web"}
LATER = {"skiff:expires_at": timedelta(hours=72), 'odd "$key`\\': timedelta(minutes=90)}


def test_command_computes_a_time_from_now_when_it_runs():
    """A lease's end is the shell's time plus the lease, not the one of the page
    (a command kept for a week still gives the whole lease); keys stay as they are."""
    command = openstack_command(server(image_id=IMAGE, metadata=LEASED), from_now=LATER)
    before = datetime.now(UTC).replace(microsecond=0)
    words = shell_words(command)
    after = datetime.now(UTC)
    values = [words[i + 1] for i, word in enumerate(words) if word == "--property"]
    expires = datetime.fromisoformat(values[0].removeprefix("skiff:expires_at="))
    assert before + timedelta(hours=72) <= expires <= after + timedelta(hours=72)
    odd = datetime.fromisoformat(values[1].removeprefix('odd "$key`\\='))
    assert before + timedelta(minutes=90) <= odd <= after + timedelta(minutes=90)
    assert values[2] == "role=web"
    assert trailing_comments(command)[0] == (
        "# skiff:expires_at is computed when the command runs: 3 days after"
        " (GNU date; on macOS, gdate)."
    )


def test_command_without_times_from_now_writes_the_requests():
    command = openstack_command(server(image_id=IMAGE, metadata=LEASED))

    assert "--property skiff:expires_at=2026-12-02T12:00:00Z" in command
    assert "date" not in command


def test_command_never_shows_the_admin_password():
    command = openstack_command(server(image_id=IMAGE, admin_password="s3cret-Pa55"))

    assert "s3cret" not in command
    assert osc_arguments(command_words(command)).password is None
    (comment,) = trailing_comments(command)
    assert "password" in comment and "not shown" in comment


def test_command_says_disk_config_has_no_option():
    command = openstack_command(server(image_id=IMAGE, disk_config="MANUAL"))

    (comment,) = trailing_comments(command)
    assert '"MANUAL"' in comment and "disk_config" in comment
    assert command_words(command)[-1] == "web"


def test_command_comments_come_after_it_so_it_runs():
    command = openstack_command(server(image_id=IMAGE, **EVERY_OPTION))

    assert len(trailing_comments(command)) == 2
    assert not any(line.startswith("#") for line in command.split("\n")[:-2])
    assert shell_words(command) == command_words(command)


def test_command_quotes_every_value_for_the_shell():
    request = server(
        name="-web'1",
        image_id=IMAGE,
        description="-x $(echo run) `echo run` ; #not a comment\nline two",
        metadata={"note": 'a "b" c\\d ${e}'},
        tags=("--image",),
    )

    words = command_words(openstack_command(request))
    parsed = osc_arguments(words)

    assert shell_words(openstack_command(request)) == words
    assert parsed.server_name == "-web'1"
    assert parsed.description == request.description
    assert parsed.properties == request.metadata
    assert (parsed.tags, parsed.image) == (["--image"], IMAGE)


def test_command_layout():
    command = openstack_command(server(image_id=IMAGE))

    assert command == (
        "openstack server create \\\n"
        "  --flavor 42 \\\n"
        f"  --image {IMAGE} \\\n"
        f"  --nic net-id={NET} \\\n"
        "  web"
    )


# -- the OpenTofu configuration -----------------------------------------------------


#: a volume snapshot made a volume of its size by Nova, kept when the server goes
SNAPSHOT_KEPT = {
    "uuid": SNAPSHOT,
    "source_type": "snapshot",
    "destination_type": "volume",
    "boot_index": 0,
    "delete_on_termination": False,
}


def attached(uuid, delete):
    return {
        "uuid": uuid,
        "source_type": "volume",
        "destination_type": "volume",
        "boot_index": 0,
        "delete_on_termination": delete,
    }


NEW_VOLUME = Template("${openstack_blockstorage_volume_v3.web_boot.id}")
LOCAL_IMAGE = {
    **attached(IMAGE, True),
    "source_type": "image",
    "destination_type": "local",
}
BLANK = {
    "source_type": "blank",
    "destination_type": "volume",
    "boot_index": -1,
    "volume_size": 5,
    "delete_on_termination": True,
    "volume_type": "hdd",
}


@pytest.mark.parametrize(
    ("case", "image", "volume", "devices"),
    [
        ("image", IMAGE, None, None),
        ("instance-snapshot", INSTANCE_SNAPSHOT, None, None),
        (
            "image-to-new-volume",
            None,
            {"size": 20, "image_id": IMAGE, "volume_type": "ssd"},
            [attached(NEW_VOLUME, True)],
        ),
        (
            "image-to-new-volume-of-the-default-type",
            None,
            {"size": 20, "image_id": IMAGE},
            [attached(NEW_VOLUME, True)],
        ),
        (
            "image-to-new-volume-kept",
            None,
            {"size": 20, "image_id": IMAGE},
            [attached(NEW_VOLUME, False), BLANK],
        ),
        ("volume", None, None, [attached(VOLUME, False)]),
        ("volume-deleted-with-the-server", None, None, [attached(VOLUME, True)]),
        (
            "volume-snapshot-to-new-volume",
            None,
            {"size": 30, "snapshot_id": SNAPSHOT},
            [attached(NEW_VOLUME, False)],
        ),
        ("volume-snapshot-as-it-is", None, None, [SNAPSHOT_KEPT]),
        # the image stays the local boot disk, as novaclient sends it
        ("image-with-data-volumes", IMAGE, None, [LOCAL_IMAGE, BLANK, BLANK]),
    ],
)
def test_config_boot_source(case, image, volume, devices):
    config = hcl_resources(terraform_config(SOURCES[case]))
    instance = config.pop(INSTANCE)

    assert (instance["name"], instance["flavor_id"]) == ("web", "42")
    assert (instance.get("image_id"), instance.get("block_device")) == (image, devices)
    assert config == ({BOOT_VOLUME: volume} if volume else {})


@pytest.mark.parametrize(
    ("networks", "blocks", "mode"),
    [
        (ON_NET, [{"uuid": NET}], None),
        (
            (FIXED_V4, FIXED_V6),
            [{"uuid": NET, "fixed_ip_v4": "10.0.0.9"}, {"uuid": SHARED, "fixed_ip_v6": "fd00::9"}],
            None,
        ),
        ((ON_PORT, *ON_NET), [{"port": PORT}, {"uuid": NET}], None),
        ("auto", None, "auto"),
        ("none", None, "none"),
        ((), None, "auto"),  # what Skiff sends then, from compute API 2.37
    ],
)
def test_config_networks(networks, blocks, mode):
    instance = hcl_resources(terraform_config(server(image_id=IMAGE, networks=networks)))[INSTANCE]

    assert (instance.get("network"), instance.get("network_mode")) == (blocks, mode)


def test_config_every_option():
    request = server(image_id=IMAGE, **EVERY_OPTION)
    instance = hcl_resources(terraform_config(request, user_data_file="boot.sh"))[INSTANCE]

    assert instance["count"] == 3
    assert instance["name"] == Template("web-${count.index + 1}")  # Nova's names for several
    assert instance["security_groups"] == ["default", "web"]
    assert instance["key_pair"] == "alice-key"
    assert instance["availability_zone"] == "zone-b"
    assert instance["user_data"] == Template('${file("boot.sh")}')
    assert instance["config_drive"] is True
    assert instance["metadata"] == {"owner": "web team", "tier": "front=end"}
    assert instance["tags"] == ["web", "prod"]
    assert instance["scheduler_hints"] == [
        {"group": GROUP, "additional_properties": {"different_host": "srv-0"}}
    ]


def test_config_binary_user_data_is_read_as_base64():
    request = server(image_id=IMAGE, user_data=gzip.compress(b"#!/bin/sh\n", mtime=0))

    instance = hcl_resources(terraform_config(request))[INSTANCE]

    assert instance["user_data"] == Template('${filebase64("user-data")}')


def test_config_leaves_out_what_was_not_chosen():
    instance = hcl_resources(terraform_config(server(image_id=IMAGE)))[INSTANCE]

    assert set(instance) == {"name", "flavor_id", "image_id", "network"}
    assert hcl_comments(terraform_config(server(image_id=IMAGE))) == []


def test_config_one_boot_volume_per_server():
    request = server(block_devices=SOURCES["image-to-new-volume"].block_devices, count=2)
    config = hcl_resources(terraform_config(request))

    assert config[BOOT_VOLUME]["count"] == config[INSTANCE]["count"] == 2
    boot = config[INSTANCE]["block_device"][0]
    assert boot["uuid"] == Template("${openstack_blockstorage_volume_v3.web_boot[count.index].id}")


def test_config_comments_what_the_provider_cannot_say():
    comments = hcl_comments(terraform_config(server(image_id=IMAGE, **EVERY_OPTION)))

    assert len(comments) == 6
    assert 'Description (not an argument of openstack_compute_instance_v2): "Front end"' in comments
    assert (
        'Hostname (not an argument of openstack_compute_instance_v2): "web-01.example.org"'
        in comments
    )
    assert any(c.startswith('Disk partitioning (disk_config) "AUTO"') for c in comments)
    assert any(c.startswith("An administrator password is set") for c in comments)
    # in the network block with the IPv6 address
    assert "The provider does not send fixed_ip_v6 when it creates" in comments


def test_config_sets_a_time_from_now_once_at_creation():
    config = terraform_config(server(image_id=IMAGE, metadata=LEASED), from_now=LATER)
    instance = hcl_resources(config)[INSTANCE]

    assert instance["metadata"] == {
        "skiff:expires_at": Template('${timeadd(timestamp(), "259200s")}'),
        'odd "$key`\\': Template('${timeadd(timestamp(), "5400s")}'),
        "role": "web",
    }
    # timestamp() changes at every plan: the time is set when the server is made
    (lifecycle,) = instance["lifecycle"]
    assert lifecycle["ignore_changes"] == [
        Template('${metadata["skiff:expires_at"]}'),
        Template('${metadata["odd \\"$key`\\\\"]}'),
    ]
    assert "skiff:expires_at: 3 days after the server is created." in hcl_comments(config)


def test_config_never_shows_the_admin_password():
    text = terraform_config(server(image_id=IMAGE, admin_password="s3cret-Pa55"))

    assert "s3cret" not in text
    assert "admin_pass" not in hcl_resources(text)[INSTANCE]


def test_config_strings_are_escaped_for_hcl():
    hostile = 'a "b" c\\d ${e} %{f}\nnext\ttab\x01'
    request = server(
        name="my web",
        image_id=IMAGE,
        key_name=hostile,
        metadata={hostile: hostile},
        tags=(hostile,),
    )
    instance = hcl_resources(terraform_config(request))["openstack_compute_instance_v2.my_web"]

    assert instance["name"] == "my web"
    assert instance["key_pair"] == hostile
    assert instance["metadata"] == {hostile: hostile}
    assert instance["tags"] == [hostile]


@pytest.mark.parametrize(
    ("name", "label"),
    [("web-1.example", "web_1_example"), ("1st", "server_1st"), ("été", "_t_")],
)
def test_config_resource_name_is_an_identifier(name, label):
    config = hcl_resources(terraform_config(server(name=name, image_id=IMAGE)))

    assert config[f"openstack_compute_instance_v2.{label}"]["name"] == name
