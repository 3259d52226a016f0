"""How Nova, Cinder, Glance and Neutron failures reach the portal."""

import pytest
import requests

from webapp.cloud import errors
from webapp.cloud import models

REQUEST = models.ServerRequest(name="web", flavor_id="42", image_id="img-1")

QUOTA = "Quota exceeded for cores: Requested 2, but already used 19 of 20 cores"


@pytest.mark.parametrize(
    ("status", "body", "expected", "message"),
    [
        (
            401,
            {
                "unauthorized": {
                    "code": 401,
                    "message": "The request you have made requires authentication.",
                }
            },
            errors.Unauthorized,
            "Your session with the cloud has ended: please log in again.",
        ),
        (
            403,
            {"forbidden": {"code": 403, "message": QUOTA}},
            errors.QuotaExceeded,
            QUOTA,
        ),
        (
            403,
            {
                "forbidden": {
                    "code": 403,
                    "message": "Policy doesn't allow "
                    "os_compute_api:servers:create to be performed.",
                }
            },
            errors.InvalidRequest,
            "Policy doesn't allow os_compute_api:servers:create to be performed.",
        ),
        (
            400,
            {"badRequest": {"code": 400, "message": "Flavor 42 could not be found."}},
            errors.InvalidRequest,
            "Flavor 42 could not be found.",
        ),
        (
            404,
            {"itemNotFound": {"code": 404, "message": "Image img-1 could not be found."}},
            errors.NotFound,
            "Image img-1 could not be found.",
        ),
        (
            400,
            {
                "badRequest": {
                    "code": 400,
                    "message": "Block Device Mapping is Invalid: failed to get volume v-1.",
                }
            },
            errors.InvalidRequest,
            "Block Device Mapping is Invalid: failed to get volume v-1.",
        ),
        (
            400,
            {
                "badRequest": {
                    "code": 400,
                    "message": "Block Device Mapping is Invalid: "
                    "Boot sequence for the instance and image/block device "
                    "mapping combination is not valid.",
                }
            },
            errors.InvalidRequest,
            "Block Device Mapping is Invalid: Boot sequence",
        ),
        (
            # a zero-disk flavor booted from an image
            403,
            {
                "forbidden": {
                    "code": 403,
                    "message": "Only volume-backed servers are allowed for flavors with zero disk.",
                }
            },
            errors.InvalidRequest,
            "Only volume-backed servers are allowed for flavors with zero disk.",
        ),
        (
            403,
            {"forbidden": {"code": 403, "message": "Maximum number of metadata items exceeds 128"}},
            errors.QuotaExceeded,
            "Maximum number of metadata items exceeds 128",
        ),
        (
            400,
            {
                "badRequest": {
                    "code": 400,
                    "message": "Failed to launch instances: "
                    "Unable to launch multiple instances with a single "
                    "configured port ID. Please launch your instance one "
                    "by one with different ports.",
                }
            },
            errors.InvalidRequest,
            "Failed to launch instances: Unable to launch multiple instances",
        ),
        (
            409,
            {"conflictingRequest": {"code": 409, "message": "Port p1 is still in use."}},
            errors.Conflict,
            "Port p1 is still in use.",
        ),
        (
            500,
            {"computeFault": {"code": 500, "message": "Unexpected API Error."}},
            errors.CloudUnavailable,
            "The cloud did not answer",
        ),
        (
            503,
            "<html><body>Service Unavailable</body></html>",
            errors.CloudUnavailable,
            "The cloud did not answer",
        ),
    ],
)
def test_nova_errors_on_create(cloud, conn, status, body, expected, message):
    cloud.error("POST", f"{cloud.nova}/servers", status, body)

    with pytest.raises(errors.CloudError) as caught:
        conn.create_servers(REQUEST)

    assert type(caught.value) is expected
    assert caught.value.message.startswith(message)
    assert caught.value.request_id == "req-1234"


def test_nova_request_id_from_the_compute_header(cloud, conn):
    cloud.http.get(
        f"{cloud.nova}/servers/gone",
        status_code=404,
        json={"itemNotFound": {"code": 404, "message": "Instance gone could not be found."}},
        headers={"x-compute-request-id": "req-only-compute"},
    )

    with pytest.raises(errors.NotFound) as caught:
        conn.get_server("gone")

    assert caught.value.request_id == "req-only-compute"
    assert str(caught.value) == ("Instance gone could not be found. (request req-only-compute)")


@pytest.mark.parametrize(
    ("failure", "message"),
    [
        (requests.exceptions.ConnectionError, "The cloud did not answer: no connection"),
        (requests.exceptions.ConnectTimeout, "The cloud did not answer in time."),
        (requests.exceptions.ReadTimeout, "The cloud did not answer in time."),
    ],
)
def test_nova_not_answering(cloud, conn, failure, message):
    cloud.http.post(f"{cloud.nova}/servers", exc=failure)

    with pytest.raises(errors.CloudUnavailable) as caught:
        conn.create_servers(REQUEST)

    assert caught.value.message.startswith(message)
    assert "scoped-p-demo" not in str(caught.value)


def test_nova_not_answering_during_negotiation(cloud, provider):
    cloud.http.get(cloud.nova, exc=requests.exceptions.ConnectTimeout)

    with pytest.raises(errors.CloudUnavailable):
        provider.connect(cloud.identity()).features()


def test_no_compute_service_in_the_catalog(cloud, provider):
    conn = provider.connect(cloud.identity(services=("image",)))

    with pytest.raises(errors.CloudUnavailable) as caught:
        conn.list_flavors()

    assert "no compute service" in caught.value.message
    assert cloud.http.request_history == []


def test_cinder_over_limit_is_quota_exceeded(cloud, conn):
    cloud.http.get(f"{cloud.nova}/limits", json={"limits": {"absolute": {}}})
    message = (
        "VolumeLimitExceeded: Maximum number of volumes allowed (1) exceeded for quota 'volumes'."
    )
    cloud.error(
        "GET",
        f"{cloud.cinder}/limits",
        413,
        {"overLimit": {"code": 413, "message": message, "retryAfter": "0"}},
        **{"x-openstack-request-id": "req-cinder"},
    )

    with pytest.raises(errors.QuotaExceeded) as caught:
        conn.get_limits()

    assert caught.value.message == message
    assert caught.value.request_id == "req-cinder"


def test_request_too_large_is_not_a_quota(cloud, conn):
    # webob's JSON error format, as oslo.middleware's size limit answers
    cloud.error(
        "POST",
        f"{cloud.nova}/servers",
        413,
        {
            "message": "Request is too large.",
            "code": "413 Request Entity Too Large",
            "title": "Request Entity Too Large",
        },
    )

    with pytest.raises(errors.InvalidRequest) as caught:
        conn.create_servers(REQUEST)

    assert caught.value.message == "Request is too large."


def test_nova_error_without_a_json_body(cloud, conn):
    cloud.error("POST", f"{cloud.nova}/servers", 413, "413 Request Entity Too Large")

    with pytest.raises(errors.InvalidRequest) as caught:
        conn.create_servers(REQUEST)

    assert caught.value.message == "The compute service refused the request (HTTP 413)."


def test_glance_error_in_plain_text(cloud, conn):
    cloud.error(
        "GET",
        f"{cloud.glance}/v2/images",
        400,
        "400 Bad Request\n\nInvalid marker. Image could not be found.\n    ",
    )

    with pytest.raises(errors.InvalidRequest) as caught:
        conn.list_images()

    assert caught.value.message == "Invalid marker. Image could not be found."
    assert caught.value.request_id == "req-1234"


def test_glance_failing_is_cloud_unavailable(cloud, conn):
    cloud.error("GET", f"{cloud.glance}/v2/images", 500, "500 Internal Server Error")

    with pytest.raises(errors.CloudUnavailable) as caught:
        conn.list_images()

    assert "image service failed (HTTP 500)" in caught.value.message


def test_neutron_error_shape(cloud, conn):
    cloud.error(
        "GET",
        f"{cloud.neutron}/v2.0/security-groups",
        403,
        {
            "NeutronError": {
                "type": "PolicyNotAuthorized",
                "message": "rule:get_security_group is disallowed by policy",
                "detail": "",
            }
        },
    )

    with pytest.raises(errors.InvalidRequest) as caught:
        conn.list_security_groups()

    assert caught.value.message == "rule:get_security_group is disallowed by policy"


def test_neutron_not_answering(cloud, conn):
    cloud.http.get(f"{cloud.neutron}/v2.0/networks", exc=requests.exceptions.ConnectionError)

    with pytest.raises(errors.CloudUnavailable):
        conn.list_networks()


def test_rate_limited_is_cloud_unavailable(cloud, conn):
    cloud.error(
        "GET",
        f"{cloud.nova}/flavors/detail",
        429,
        {"overLimit": {"code": 429, "message": "Too many requests", "retryAfter": "5"}},
    )

    with pytest.raises(errors.CloudUnavailable) as caught:
        conn.list_flavors()

    assert "busy" in caught.value.message
