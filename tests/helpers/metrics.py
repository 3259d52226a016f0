"""Reading the portal's metrics in tests: a scrape parsed with prometheus_client's
own parser, the value of one series, and each gunicorn worker's own values."""

from __future__ import annotations

import glob
import json
import os
import re
from collections.abc import Mapping

from prometheus_client.mmap_dict import MmapedDict
from prometheus_client.parser import text_string_to_metric_families

#: the token the tests configure
TOKEN = "metrics-test-token"
BEARER = {"Authorization": f"Bearer {TOKEN}"}

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse(text: str) -> Samples:
    """Every sample of an exposition, by (sample name, labels); fails unless the
    text parses and every metric is the portal's (``skiff_``) or the process's."""
    samples: Samples = {}
    for family in text_string_to_metric_families(text):
        assert re.match(r"(skiff|process|python)_", family.name), family.name
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def scrape(client) -> Samples:
    """``GET /metrics`` with the test token, parsed."""
    response = client.get("/metrics", headers=BEARER)
    assert response.status_code == 200, response.status_code
    return parse(response.get_data(as_text=True))


def value(samples: Samples, name: str, **labels: str) -> float:
    """The sum of the samples ``name`` whose labels include ``labels`` (0 if none)."""
    wanted = set(labels.items())
    return sum(v for (n, found), v in samples.items() if n == name and wanted <= found)


def label_values(samples: Samples, label: str) -> set[str]:
    """Every value the label ``label`` takes in any sample."""
    return {v for (_name, found) in samples for k, v in found if k == label}


def per_worker(directory: str, name: str, **labels: str) -> Mapping[int, float]:
    """What each process wrote to ``PROMETHEUS_MULTIPROC_DIR`` for the counter
    sample ``name`` with ``labels``: {pid: value} (the files are
    ``counter_<pid>.db``, their keys JSON of [metric, sample, labels, help])."""
    found: dict[int, float] = {}
    for path in glob.glob(os.path.join(directory, "counter_*.db")):
        pid = int(os.path.basename(path)[len("counter_") : -len(".db")])
        for key, number, _timestamp, _position in MmapedDict.read_all_values_from_file(path):
            _metric, sample, sample_labels, _help = json.loads(key)
            if sample == name and set(labels.items()) <= set(sample_labels.items()):
                found[pid] = found.get(pid, 0.0) + number
    return found
