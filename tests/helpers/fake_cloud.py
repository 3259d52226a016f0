"""A fake OpenStack cloud served by requests-mock: its URLs, tokens and canned answers.

The real keystoneauth1 and novaclient code runs; only HTTP is faked. Tokens carry a
keystoneauth1 ``V3Token`` service catalog pointing at the URLs of :class:`FakeCloud`.
"""

from __future__ import annotations

import json
import time

from keystoneauth1 import fixture as ks_fixture

from webapp.cloud import models

ALL_SERVICES = ("compute", "image", "network", "block-storage")


class FakeCloud:
    """A fake OpenStack cloud: its URLs, tokens and canned answers."""

    auth_url = "https://keystone.example.test/v3"
    nova = "https://nova.example.test/v2.1"
    glance = "https://glance.example.test"
    neutron = "https://neutron.example.test"
    cinder = "https://cinder.example.test/v3"

    user_id = "u-1"
    user_name = "alice"
    password = "correct horse"
    project_id = "p-demo"
    projects = [
        {"id": "p-zeta", "name": "zeta", "enabled": True},
        {"id": "p-demo", "name": "demo", "enabled": True},
        {"id": "p-off", "name": "aaa-disabled", "enabled": False},
    ]

    def __init__(self, requests_mock) -> None:
        self.http = requests_mock

    # -- identity -------------------------------------------------------------

    def token(
        self,
        project_id: str | None = None,
        *,
        services: tuple[str, ...] = ALL_SERVICES,
        urls: dict[str, str] | None = None,
    ) -> ks_fixture.V3Token:
        """A token body; scoped (with a catalog) when ``project_id`` is given."""
        token = ks_fixture.V3Token(
            user_id=self.user_id,
            user_name=self.user_name,
            user_domain_id="default",
            user_domain_name="Default",
        )
        if project_id is None:
            return token
        name = next((p["name"] for p in self.projects if p["id"] == project_id), "x")
        token.set_project_scope(
            id=project_id, name=name, domain_id="default", domain_name="Default"
        )
        base = {
            "compute": self.nova,
            "image": self.glance,
            "network": self.neutron,
            "block-storage": self.cinder,
            **(urls or {}),
        }
        for service_type in services:
            service = token.add_service(service_type)
            service.add_standard_endpoints(
                public=base[service_type],
                internal=base[service_type].replace("https://", "http://int-"),
                region="RegionOne",
            )
        return token

    def identity(self, project_id: str | None = None, **token_args) -> models.Identity:
        """A logged-in identity made without any HTTP call."""
        project_id = project_id or self.project_id
        body = self.token(project_id, **token_args)
        state = json.dumps({"auth_token": f"scoped-{project_id}", "body": body})
        return models.Identity(
            user_id=self.user_id,
            user_name=self.user_name,
            project_id=project_id,
            project_name="demo",
            projects=tuple(
                models.Project(p["id"], p["name"]) for p in self.projects if p["enabled"]
            ),
            auth_state=state,
        )

    def keystone(self, *, projects: list[dict] | None = None) -> None:
        """Answer password logins, project listing and rescoping like Keystone."""
        projects = self.projects if projects is None else projects

        def tokens(request, context):
            auth = request.json()["auth"]
            context.headers["x-openstack-request-id"] = "req-keystone"
            methods = auth["identity"]["methods"]
            if methods == ["password"]:
                if auth["identity"]["password"]["user"]["password"] != self.password:
                    context.status_code = 401
                    return {
                        "error": {
                            "code": 401,
                            "message": "The request you have made requires authentication.",
                            "title": "Unauthorized",
                        }
                    }
                context.status_code = 201
                context.headers["X-Subject-Token"] = "unscoped-token"
                return self.token()
            project_id = auth["scope"]["project"]["id"]
            context.status_code = 201
            context.headers["X-Subject-Token"] = f"scoped-{project_id}"
            return self.token(project_id)

        self.http.post(f"{self.auth_url}/auth/tokens", json=tokens)
        self.http.get(f"{self.auth_url}/auth/projects", json={"projects": projects})

    # -- compute --------------------------------------------------------------

    def nova_version(
        self, max_version: str = "2.96", min_version: str = "2.1", *, delay: float = 0
    ):
        """Nova's version document (what microversion negotiation reads)."""
        document = {
            "version": {
                "id": "v2.1",
                "status": "CURRENT",
                "version": max_version,
                "min_version": min_version,
                "updated": "2013-07-23T11:33:21Z",
                "links": [{"rel": "self", "href": f"{self.nova}/"}],
            }
        }

        def answer(request, context):
            time.sleep(delay)
            return document

        return self.http.get(self.nova, json=answer)

    def error(self, method: str, url: str, status: int, body, **headers):
        """An error answer with an OpenStack request id."""
        headers = {
            "x-openstack-request-id": "req-1234",
            "x-compute-request-id": "req-1234",
            **headers,
        }
        if isinstance(body, str):
            return self.http.register_uri(
                method, url, status_code=status, text=body, headers=headers
            )
        return self.http.register_uri(method, url, status_code=status, json=body, headers=headers)

    # -- looking at what was sent -------------------------------------------------

    def requests(self, method: str | None = None, base: str = "") -> list:
        """The requests sent so far, optionally only one method or URL prefix."""
        return [
            r
            for r in self.http.request_history
            if (method is None or r.method == method) and r.url.startswith(base)
        ]


def nova_server(**overrides):
    """A server as GET /servers/{id} shows it at 2.96."""
    server = {
        "id": "srv-1",
        "name": "web",
        "status": "ACTIVE",
        "created": "2026-11-25T10:00:00Z",
        "progress": 0,
        "image": {"id": "img-1", "links": []},
        "flavor": {"original_name": "m1.nano", "vcpus": 1, "ram": 128, "disk": 1},
        "key_name": "laptop",
        "OS-EXT-AZ:availability_zone": "nova",
        "addresses": {
            "demo-net": [
                {"addr": "10.0.0.5", "version": 4, "OS-EXT-IPS:type": "fixed"},
                {"addr": "fd00::5", "version": 6, "OS-EXT-IPS:type": "fixed"},
            ]
        },
        "security_groups": [{"name": "default"}, {"name": "web"}, {"name": "default"}],
        "description": "front end",
    }
    server.update(overrides)
    return server
