"""Nova's server body, as 2.96 returns it, becomes the portal's Server."""

from webapp.cloud.openstack import convert


def test_a_volume_backed_server_with_every_option():
    server = convert.server(
        {
            "id": "s1",
            "name": "web",
            "status": "ACTIVE",
            "image": "",
            "flavor": {"original_name": "m1.nano", "vcpus": 1},
            "os-extended-volumes:volumes_attached": [
                {"id": "v1", "delete_on_termination": True},
                {"id": "v2", "delete_on_termination": False},
            ],
            "tags": ["a", "b"],
            "metadata": {"role": "web"},
            "OS-EXT-SRV-ATTR:hostname": "web-host",
            "config_drive": "True",
            "addresses": {},
        }
    )
    assert server.image_id == "" and server.flavor_id == "m1.nano"
    assert server.volumes == ("v1", "v2")
    assert server.tags == ("a", "b") and server.metadata == {"role": "web"}
    assert server.hostname == "web-host" and server.config_drive is True


def test_a_server_without_a_config_drive():
    server = convert.server({"id": "s2", "name": "x", "status": "BUILD", "config_drive": ""})
    assert server.config_drive is False
    assert (server.volumes, server.tags, server.metadata, server.hostname) == ((), (), {}, None)
