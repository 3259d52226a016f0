"""The Configuration step's cloud-init helper as a form: what each field takes,
the document "Make the cloud-config" writes, a helper changed after it, the
cloud-config's own checks, and the user data the launch then sends (the
cloud-config alone, or with the script as one MIME multi-part, within Nova's
limit)."""

from __future__ import annotations

import email

import pytest
import yaml
from flask import Flask
from werkzeug.datastructures import MultiDict

from tests.helpers.launch_forms import launch_wizard
from tests.helpers.launch_forms import post
from tests.helpers.launch_forms import through
from webapp.cloud.catalog import Catalog
from webapp.cloud.models import Flavor
from webapp.cloud.models import Image
from webapp.cloud.models import KeyPair
from webapp.cloud.models import Network
from webapp.cloud.models import SecurityGroup
from webapp.forms.launch.cloud_config import Helper
from webapp.forms.launch.cloud_config import cloud_config
from webapp.forms.launch.cloud_config import fingerprint
from webapp.forms.launch.cloud_config import multipart
from webapp.forms.launch.config import USER_DATA_MAX_BYTES
from webapp.forms.launch.config import user_data_summary
from webapp.forms.launch.config import user_data_value
from webapp.forms.launch.server_request import server_request

KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx7lI1h5J9Ckq6y7Qm3m1r1b2Q8d0h0Yk3Zr7m9oU1V a@b"
CATALOG = Catalog(
    images=(Image("img-small", "small", size_bytes=1024**3, min_disk_gb=1),),
    flavors=(Flavor("f-tiny", "tiny", 1, 512, 1),),
    keypairs=(KeyPair("mine"),),
    networks=(Network("net-a", "a", subnets=("10.0.0.0/24",)),),
    security_groups=(SecurityGroup("sg-d", "default"),),
)


@pytest.fixture(autouse=True)
def request_context():
    app = Flask(__name__)
    app.config["SECRET_KEY"] = "test"
    with app.test_request_context():
        yield


@pytest.fixture
def workflow():
    workflow = launch_wizard(CATALOG)
    through(workflow, "config")
    return workflow


def make(workflow, **data):
    """Press "Make the cloud-config" with ``data``: the document, and the action."""
    action = workflow.build_action(workflow.get_step("config"), MultiDict(data))
    return action.make_cloud_config(), action


def made(**helper):
    """The step's input once the document of ``helper`` was made, as posted back."""
    document = cloud_config(Helper(**helper))
    return {"cloud_config": document, "cloud_config_made": fingerprint(document)}


def test_make_writes_the_document_and_its_fingerprint(workflow):
    document, action = make(
        workflow,
        init_updates="y",
        init_packages="nginx git",
        init_user=" alice ",
        init_ssh_keys=f"\r\n  {KEY}  \r\n",
        init_sudo="y",
        init_timezone="europe/PARIS",
        init_commands="echo one\r\n\r\necho two\r\n",
        cloud_config="#cloud-config\nold: document\n",
    )
    expected = cloud_config(
        Helper(
            updates=True,
            packages=("nginx", "git"),
            user="alice",
            ssh_keys=(KEY,),
            sudo=True,
            timezone="Europe/Paris",
            commands=("echo one", "echo two"),
        )
    )
    assert document == expected == action.cloud_config.data
    assert action.cloud_config_made.data == fingerprint(expected)


def test_make_with_an_empty_helper_leaves_the_document(workflow):
    document, action = make(workflow, cloud_config="#cloud-config\nmine: true\n")
    assert document is None
    assert action.cloud_config.data == "#cloud-config\nmine: true\n"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"init_packages": "nginx 'rm -rf'"}, "init_packages", '"\'rm" is not a package name'),
        ({"init_packages": "-oops"}, "init_packages", "is not a package name"),
        ({"init_user": "Alice"}, "init_user", "Use up to 32 lower-case letters"),
        ({"init_user": "a" * 33}, "init_user", "Field cannot be longer than 32 characters."),
        ({"init_user": "root"}, "init_user", "root exists on every image"),
        ({"init_ssh_keys": KEY}, "init_ssh_keys", "Name the user these keys are for (above)."),
        (
            {"init_user": "al", "init_ssh_keys": f"{KEY}\n\nssh-rsa notbase64!"},
            "init_ssh_keys",
            "Line 3: The key's base64 part is damaged.",
        ),
        (
            {"init_user": "al", "init_ssh_keys": "-----BEGIN OPENSSH PRIVATE KEY-----"},
            "init_ssh_keys",
            "Line 1: Paste an OpenSSH public key",
        ),
        ({"init_sudo": "y"}, "init_sudo", "Name the user who may use sudo (above)."),
        (
            {"init_timezone": "Europe/Pari"},
            "init_timezone",
            "Europe/Pari is not a time zone. Did you mean Europe/Paris?",
        ),
        ({"init_timezone": "Nowhere"}, "init_timezone", "write it like Europe/Paris or UTC"),
    ],
)
def test_a_wrong_helper_field_is_said_beside_it(workflow, data, field, message):
    document, action = make(workflow, **data)
    assert document is None
    assert any(message in str(m) for m in action[field].errors), action.errors
    errors, _ = post(workflow, "config", **data)  # and Next says the same
    assert any(message in m for m in errors.get(field, [])), errors


def test_the_made_document_goes_to_nova_as_it_was_edited(workflow):
    inputs = made(updates=True)
    edited = inputs["cloud_config"] + "write_files:\n- path: /etc/motd\n  content: hi\n"
    errors, _ = post(workflow, "config", init_updates="y", **{**inputs, "cloud_config": edited})
    assert errors == {}
    workflow.validate_all()
    assert server_request(CATALOG, workflow.context).user_data == edited


def test_a_helper_changed_after_the_document_asks_for_it_again(workflow):
    inputs = made(updates=True)
    errors, _ = post(workflow, "config", init_updates="y", init_timezone="UTC", **inputs)
    assert errors["cloud_config"] == [
        "The helper changed after this cloud-config was made: press “Make the "
        "cloud-config” again (it replaces the document), or undo the change."
    ]
    errors, _ = post(workflow, "config", init_timezone="UTC")
    assert errors["cloud_config"] == [
        "You filled in the helper but made no cloud-config: press “Make the "
        "cloud-config”, or clear the helper."
    ]
    # A helper cleared after the document was made: the document is kept as it is.
    assert post(workflow, "config", **inputs)[0] == {}
    # A document typed by hand, no helper: nothing to compare.
    assert post(workflow, "config", cloud_config="#cloud-config\nruncmd: [ls]\n")[0] == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("runcmd: [ls]\n", "Start the cloud-config with the line #cloud-config."),
        ("#!/bin/sh\necho hi\n", "Start the cloud-config with the line #cloud-config."),
        ("#cloud-config\nruncmd: [ls\n", "Line 3: this is not valid YAML: expected ',' or ']'"),
        ("#cloud-config\na: b: c\n", "Line 2: this is not valid YAML"),
        ("#cloud-config\n- a list\n", "A cloud-config is a YAML mapping: key: value lines."),
    ],
)
def test_the_cloud_config_is_checked(workflow, text, message):
    errors, _ = post(workflow, "config", cloud_config=text)
    assert any(m.startswith(message) for m in errors["cloud_config"]), errors


def test_a_blank_cloud_config_is_no_cloud_config(workflow):
    assert post(workflow, "config", cloud_config="  \r\n\n")[0] == {}
    assert workflow.context["cloud_config"] == ""
    assert user_data_value(workflow.context) is None


def test_cloud_config_and_script_go_as_one_multipart(workflow):
    inputs = made(user="alice", sudo=True)
    script = "#!/bin/sh\r\necho hi\r\n"
    post(workflow, "config", init_user="alice", init_sudo="y", user_data=script, **inputs)
    workflow.validate_all()
    assert workflow.errors == {}
    sent = server_request(CATALOG, workflow.context).user_data
    assert sent == multipart(inputs["cloud_config"], "#!/bin/sh\necho hi\n")
    config, shell = email.message_from_string(sent).get_payload()
    assert yaml.safe_load(config.get_payload(decode=True))["users"][1]["name"] == "alice"
    assert shell.get_payload(decode=True) == b"#!/bin/sh\necho hi\n"
    summary = user_data_summary(workflow.context)
    assert summary == f"cloud-config and script, one MIME multi-part of {len(sent):,} bytes"


def test_the_summary_names_what_goes():
    document = "#cloud-config\n"
    assert user_data_summary({"cloud_config": document}) == "cloud-config of 14 bytes"
    assert user_data_summary({"cloud_config": "", "user_data": "#!/bin/sh"}) == (
        "script of 9 bytes"
    )
    assert user_data_summary({}) == "no script"


def test_a_mime_script_cannot_take_a_cloud_config_as_well(workflow):
    mime = multipart("#cloud-config\n", "#!/bin/sh\n")
    errors, _ = post(workflow, "config", user_data=mime, cloud_config="#cloud-config\n")
    assert errors["user_data"][0].startswith("This script is a MIME multi-part already")
    assert post(workflow, "config", user_data=mime)[0] == {}  # alone, it goes as it is


def test_the_size_that_counts_is_the_whole_multipart(workflow):
    document = "#cloud-config\n"
    script = "#!/bin/sh\n" + "#" * (USER_DATA_MAX_BYTES - 10 - 1) + "\n"
    assert len(script) == USER_DATA_MAX_BYTES
    assert post(workflow, "config", user_data=script)[0] == {}  # alone it fits
    errors, _ = post(workflow, "config", user_data=script, cloud_config=document)
    size = len(multipart(document, script))
    assert errors == {
        "cloud_config": [
            f"With the script, the user data is one MIME multi-part of {size:,} bytes. "
            "At most 49,149 bytes (Nova's limit, 65,535 once encoded): shorten one or the other."
        ]
    }
    big = "#cloud-config\n#" + "x" * USER_DATA_MAX_BYTES + "\n"
    errors, _ = post(workflow, "config", user_data="", cloud_config=big)
    assert errors["cloud_config"] == [
        f"The cloud-config is {len(big):,} bytes. At most 49,149 bytes "
        "(Nova's limit, 65,535 once encoded)."
    ]
