"""A project switch made while other requests of the login are in flight is never
undone.

Each round, threads of the same browser keep opening wizards (``GET /launch/``
writes the session's wizard list, then fetches the wizard's lists from the slow
cloud), saving steps (a wizard of the other project answers with a flashed
message: another session write) and polling the server page, while the main
thread switches project with the header's form. When every request wrote the
whole session back, one that had started before the switch put the old project
back when it ended. Now a request writes only the fields it changed.
"""

from __future__ import annotations

import threading
import time

from tests.helpers.http_wizard import project_ids
from tests.helpers.http_wizard import selected_project

ROUNDS = 4
#: reads of the selected project after each switch (each a cloud call: about as
#: long, together, as any request that was in flight during the switch)
READS = 5
SAVERS = 2
#: seconds any wait for a thread may take
WAIT = 60


def read_back(browser, project: str, when: str) -> list[str]:
    """Read the selected project :data:`READS` times; the reads that are not ``project``."""
    undone = []
    for read in range(1, READS + 1):
        shown = selected_project(browser.get("/servers/").text)
        if shown != project:
            undone.append(f"{when}, read {read}: {shown}")
    return undone


def test_a_project_switch_is_never_undone(live, browsers):
    browser = browsers()
    browser.login()
    browser.open()
    server_page = browser.fill_all(name="polled").launch()
    projects = project_ids(browser.get("/servers/").text)
    assert set(projects) == {"demo", "sandbox"}
    project = projects["demo"]
    assert selected_project(browser.get("/servers/").text) == project

    stop = threading.Event()
    counts = {"opened": 0, "saved": 0, "restarted": 0, "polls": 0}
    counting = threading.Lock()

    def count(what: str) -> None:
        with counting:
            counts[what] += 1

    opened: list[str] = []
    failures: list[str] = []
    #: (started, ended) of every request that wrote or once wrote the session
    timed: list[tuple[float, float]] = []

    def timed_get(tab, path: str, **kwargs):
        started = time.monotonic()
        response = tab.get(path, **kwargs)
        timed.append((started, time.monotonic()))
        return response

    def save() -> None:
        tab = browser.tab()
        tab.token = browser.token  # one login, one CSRF token
        try:
            while not stop.is_set():
                # The new-launch page's first post makes a wizard (and indexes it).
                started = time.monotonic()
                response = tab.post_form("/launch/", {"csrf_token": tab.token, "nav": "back"})
                timed.append((started, time.monotonic()))
                assert response.status_code == 303, response.status_code
                tab.url = response.headers["Location"].rsplit("/", 1)[0]
                opened.append(tab.wizard_id)
                count("opened")
                for i in range(3):
                    response = tab.post(
                        "details", name=f"vm-{i}", count="1", availability_zone="nova"
                    )
                    if response.headers.get("Location") == "/launch/":
                        count("restarted")  # the switch came: the wizard is gone
                        break
                    assert response.status_code == 303, response.status_code
                    count("saved")
        except Exception as error:  # reported by the main thread
            failures.append(f"save: {error!r}")

    def poll() -> None:
        tab = browser.tab()
        htmx = False
        try:
            while not stop.is_set():
                response = timed_get(tab, server_page, htmx=htmx)
                # 404 while in the other project: the server is not there.
                assert response.status_code in (200, 404), response.status_code
                count("polls")
                htmx = not htmx
        except Exception as error:  # reported by the main thread
            failures.append(f"poll: {error!r}")

    threads = [threading.Thread(target=save) for _ in range(SAVERS)]
    threads.append(threading.Thread(target=poll))
    for thread in threads:
        thread.start()
    undone: list[str] = []
    switched: list[float] = []  # when each switch was answered
    try:
        for switch in range(1, ROUNDS + 1):
            stop.wait(0.2)  # let requests of the old project get under way
            project = projects["sandbox" if project == projects["demo"] else "demo"]
            response = browser.switch_project(project)
            assert response.status_code == 303, response.status_code
            switched.append(time.monotonic())
            undone += read_back(browser, project, f"switch {switch}")
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=WAIT)
    assert not any(thread.is_alive() for thread in threads)
    assert failures == []
    undone += read_back(browser, project, "at the end")
    kept = browser.session(live.app)
    across = sum(start < at < end for at in switched for start, end in timed)
    print(
        f"\nproject switch: {ROUNDS} switches, {ROUNDS * READS + READS} reads, {len(undone)}"
        f" undone; meanwhile {counts['opened']} wizards opened, {counts['saved']} steps"
        f" saved, {counts['restarted']} sent to a new wizard, {counts['polls']} polls;"
        f" {across} opens and polls in flight when a switch was answered"
    )
    assert undone == [], f"{len(undone)} reads show the switch undone: {undone}"
    assert kept["identity"]["project_id"] == project
    assert kept["last_project_id"] == project
    missing = set(opened) - set(browser.wizard_ids(live.app))
    print(f"wizards opened but not in the login's index: {len(missing)} of {len(opened)}")
    assert not missing, f"{len(missing)} of {len(opened)} opened wizards not in the index"
    assert counts["opened"] >= ROUNDS and counts["restarted"] >= 1, counts
    assert across >= ROUNDS, f"only {across} requests overlapped a switch: no race"
