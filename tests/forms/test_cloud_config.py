"""The cloud-init helper's documents: each choice and their combinations as
YAML, odd values escaped, every document valid for cloud-init's own schema (and
its ``cloud-init schema`` command), and the MIME multi-part that carries a
cloud-config with a script, read back by ``email`` and by cloud-init itself."""

from __future__ import annotations

import email
import gzip
import itertools

import pytest
import yaml

from tests.helpers.cloud_init import cloud_init_parts
from tests.helpers.cloud_init import cloud_init_schema
from tests.helpers.cloud_init import schema_errors
from webapp.forms.launch.cloud_config import SUDO_ALL
from webapp.forms.launch.cloud_config import Helper
from webapp.forms.launch.cloud_config import cloud_config
from webapp.forms.launch.cloud_config import fingerprint
from webapp.forms.launch.cloud_config import is_mime
from webapp.forms.launch.cloud_config import lines
from webapp.forms.launch.cloud_config import multipart
from webapp.forms.launch.cloud_config import part_type
from webapp.forms.launch.cloud_config import split_packages

KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx7lI1h5J9Ckq6y7Qm3m1r1b2Q8d0h0Yk3Zr7m9oU1V a@b"
RSA = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 c@d"
#: each choice on its own, and the YAML it must load as
EACH = {
    "updates": (Helper(updates=True), {"package_update": True, "package_upgrade": True}),
    "packages": (Helper(packages=("nginx", "git")), {"packages": ["nginx", "git"]}),
    "user": (Helper(user="alice"), {"users": ["default", {"name": "alice"}]}),
    "user with keys": (
        Helper(user="alice", ssh_keys=(KEY, RSA)),
        {"users": ["default", {"name": "alice", "ssh_authorized_keys": [KEY, RSA]}]},
    ),
    "user with sudo": (
        Helper(user="alice", sudo=True),
        {"users": ["default", {"name": "alice", "sudo": SUDO_ALL}]},
    ),
    "timezone": (Helper(timezone="Asia/Shanghai"), {"timezone": "Asia/Shanghai"}),
    "commands": (
        Helper(commands=("apt-get install -y nginx", "systemctl enable --now nginx")),
        {"runcmd": ["apt-get install -y nginx", "systemctl enable --now nginx"]},
    ),
}
#: values YAML would take for something else, or could not write plainly
ODD = (
    "yes",
    "no",
    "on",
    "null",
    "~",
    "123",
    "0x1F",
    "1e3",
    "2024-01-01",
    "- x",
    "? y",
    "a: b",
    "# not a comment",
    "echo 'single' \"double\" `tick` $HOME # rest",
    "{a: 1}",
    "[1, 2]",
    "*alias",
    "&anchor",
    "!tag value",
    "%percent",
    "@at",
    "|",
    ">",
    "  leading and trailing  ",
    "tab\there",
    "backslash \\n stays",
    "échec 成功 ✓",
    "x" * 300,
)


@pytest.mark.parametrize("choice", list(EACH))
def test_each_choice_alone(choice):
    helper, expected = EACH[choice]
    document = cloud_config(helper)
    assert document.startswith("#cloud-config\n")
    assert yaml.safe_load(document) == expected
    assert schema_errors(expected) == []


def test_no_choice_makes_no_document():
    assert cloud_config(Helper()) is None
    assert cloud_config(Helper(sudo=True, ssh_keys=(KEY,))) is None  # no user to give them to


@pytest.mark.parametrize("size", [2, 3, len(EACH)])
def test_choices_together(size):
    for chosen in itertools.combinations(EACH, size):
        fields = {}
        expected = {}
        for name in chosen:
            helper, part = EACH[name]
            fields.update({k: v for k, v in helper.__dict__.items() if v})
            users = expected.get("users", ["default", {}])
            if "users" in part:
                users[1] = {**users[1], **part["users"][1]}
                part = {**part, "users": users}
            expected.update(part)
        loaded = yaml.safe_load(cloud_config(Helper(**fields)))
        assert loaded == expected, chosen
        assert schema_errors(loaded) == [], chosen


def test_everything_in_one_document_in_a_readable_order():
    helper = Helper(
        updates=True,
        packages=("nginx",),
        user="alice",
        ssh_keys=(KEY,),
        sudo=True,
        timezone="Europe/Paris",
        commands=("echo hi",),
    )
    assert cloud_config(helper) == (
        "#cloud-config\n"
        "package_update: true\n"
        "package_upgrade: true\n"
        "packages:\n"
        "- nginx\n"
        "timezone: Europe/Paris\n"
        "users:\n"
        "- default\n"
        "- name: alice\n"
        "  sudo: ALL=(ALL) NOPASSWD:ALL\n"
        "  ssh_authorized_keys:\n"
        f"  - {KEY}\n"
        "runcmd:\n"
        "- echo hi\n"
    )


@pytest.mark.parametrize("value", ODD)
def test_odd_values_stay_the_strings_they_were(value):
    document = cloud_config(
        Helper(packages=(value,), user=value, timezone=value, commands=(value,))
    )
    loaded = yaml.safe_load(document)
    assert loaded["packages"] == [value]
    assert loaded["timezone"] == value
    assert loaded["users"][1] == {"name": value}
    assert loaded["runcmd"] == [value]
    assert schema_errors(loaded) == []


def test_long_values_stay_on_one_line():
    long_key = "ssh-rsa " + "A" * 700 + " someone@somewhere"
    document = cloud_config(Helper(user="alice", ssh_keys=(long_key,)))
    assert f"  - {long_key}\n" in document


def test_the_schema_check_is_not_vacuous():
    assert schema_errors({"runcmd": 5})
    assert schema_errors({"package_update": "sometimes"})
    assert schema_errors({"users": ["default", {"name": "alice", "ssh_authorised_keys": [KEY]}]})
    assert schema_errors({"timezone": ["Europe/Paris"]})


def test_cloud_init_schema_command_takes_the_document(tmp_path):
    path = tmp_path / "user-data"
    path.write_text(
        cloud_config(
            Helper(
                updates=True,
                packages=("nginx", "yes"),
                user="alice",
                ssh_keys=(KEY,),
                sudo=True,
                timezone="Europe/Paris",
                commands=ODD,
            )
        )
    )
    done = cloud_init_schema(path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Valid cloud-config" in done.stdout
    path.write_text("#cloud-config\nruncmd: 5\n")
    assert cloud_init_schema(path).returncode != 0  # and it does say no


def test_typed_lists_are_split_as_the_fields_say():
    assert split_packages(" nginx, git\n\tcurl,,vim ") == ("nginx", "git", "curl", "vim")
    assert split_packages(None) == ()
    assert lines("  echo a  \n\n\r\necho b") == ("echo a", "echo b")


def test_the_fingerprint_follows_the_document():
    one, other = cloud_config(Helper(updates=True)), cloud_config(Helper(timezone="UTC"))
    assert fingerprint(one) == fingerprint(one) != fingerprint(other)
    assert fingerprint(None) == "" and len(fingerprint(one)) == 16


DOCUMENT = cloud_config(Helper(updates=True, commands=("echo héllo",)))
SCRIPTS = {
    "shell script": "#!/bin/sh\necho hi\n",
    "script with CRLF": "#!/bin/sh\r\necho hi\r\n",
    "script in UTF-8": "#!/bin/sh\necho 成功 > /tmp/x\n",
    "script without a final newline": "#!/bin/bash\necho hi",
    "long line": "#!/bin/sh\necho " + "x" * 2000 + "\n",
    "another cloud-config": "#cloud-config\nruncmd: [ls]\n",
    "boundary look-alike": "#!/bin/sh\n--==skiff-0000==\n",
}


@pytest.mark.parametrize("kind", list(SCRIPTS))
def test_a_cloud_config_and_a_script_make_one_multipart(kind):
    script = SCRIPTS[kind]
    user_data = multipart(DOCUMENT, script)
    assert user_data.isascii()
    message = email.message_from_string(user_data)
    assert message.get_content_type() == "multipart/mixed"
    assert message["MIME-Version"] == "1.0"
    config, script_part = message.get_payload()
    assert config.get_content_type() == "text/cloud-config"
    assert config.get_payload(decode=True) == DOCUMENT.encode()
    assert script_part.get_content_type() == part_type(script)
    assert script_part.get_payload(decode=True) == script.encode()
    assert multipart(DOCUMENT, script) == user_data  # same boundary each time


def test_cloud_init_reads_both_documents_as_they_were():
    for script in SCRIPTS.values():
        config, script_part = cloud_init_parts(multipart(DOCUMENT, script))
        assert (config["type"], config["text"]) == ("text/cloud-config", DOCUMENT)
        assert script_part["text"] == script
    expected = {
        "shell script": "text/x-shellscript",
        "another cloud-config": "text/cloud-config",
    }
    for kind, content_type in expected.items():
        parts = cloud_init_parts(multipart(DOCUMENT, SCRIPTS[kind]))
        assert parts[1]["type"] == content_type


def test_uploaded_bytes_go_in_base64_and_gzip_is_unpacked_by_cloud_init():
    packed = gzip.compress(b"#!/bin/sh\necho packed\n")
    message = email.message_from_string(multipart(DOCUMENT, packed))
    part = message.get_payload()[1]
    assert (part.get_content_type(), part["Content-Transfer-Encoding"]) == (
        "application/gzip",
        "base64",
    )
    assert part.get_payload(decode=True) == packed
    parts = cloud_init_parts(multipart(DOCUMENT, packed))
    assert (parts[1]["type"], parts[1]["text"]) == (
        "text/x-shellscript",
        "#!/bin/sh\necho packed\n",
    )
    other = bytes(range(256))
    assert part_type(other) == "application/octet-stream"
    assert (
        email.message_from_string(multipart(DOCUMENT, other))
        .get_payload()[1]
        .get_payload(decode=True)
        == other
    )


def test_a_script_is_typed_as_cloud_init_would_type_it_alone():
    assert part_type("#!/bin/sh\n") == "text/x-shellscript"
    assert part_type("  \n#!/bin/sh\n") == "text/x-shellscript"
    assert part_type("#cloud-boothook\n") == "text/plain"  # cloud-init reads its first line


def test_mime_user_data_is_recognised_as_cloud_init_does():
    mime = multipart(DOCUMENT, "#!/bin/sh\n")
    assert is_mime(mime) and is_mime(mime.encode()) and is_mime(gzip.compress(mime.encode()))
    assert not is_mime("#!/bin/sh\necho MIME\n") and not is_mime(DOCUMENT)
    assert not is_mime(b"\x1f\x8bnot really gzip")
