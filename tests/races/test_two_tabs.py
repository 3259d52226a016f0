"""Two tabs of one login saving at the same moment: no save may undo the other.

When all the wizards of a login lived in one session value written back whole,
two tabs saving at once lost 18-19 of 40 saves. Now each wizard is its own
versioned record: two wizards never touch each other, and two saves of one
wizard (different steps, from two tabs) are merged field by field when they
collide.

And two tabs opening wizards at the same moment both land in the login's index
of wizards (a field each), so logout deletes every one of them.
"""

from __future__ import annotations

import threading

SAVES = 20
#: wizards each of two tabs opens at the same moment as the other
OPENED = 5
#: seconds any thread may take
WAIT = 60


def run_together(*works) -> list[str]:
    """Run each ``work(index, barrier)`` in its own thread, all started together;
    what they raised."""
    barrier = threading.Barrier(len(works), timeout=WAIT)
    failures: list[str] = []

    def run(work, index: int) -> None:
        try:
            work(index, barrier)
        except Exception as error:  # reported by the caller
            failures.append(f"thread {index}: {error!r}")
            barrier.abort()

    threads = [threading.Thread(target=run, args=(work, n)) for n, work in enumerate(works)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=WAIT)
    assert not any(thread.is_alive() for thread in threads)
    return failures


def test_two_wizards_of_one_login_keep_every_save(live, browsers):
    first = browsers()
    first.login()
    tabs = [first, first.tab()]  # one browser (one cookie), two wizards
    for tab in tabs:
        tab.open()
    assert tabs[0].wizard_id != tabs[1].wizard_id
    lost: list[str] = []

    def fill(index: int, barrier: threading.Barrier) -> None:
        tab = tabs[index]
        for i in range(1, SAVES + 1):
            name = f"tab{index}-vm-{i}"
            barrier.wait()  # both tabs save at the same moment
            tab.save("details", name=name, count="1", availability_zone="nova")
            shown = tab.value("details", "name")
            if shown != name:
                lost.append(f"tab {index}, save {i}: reads {shown!r}")

    failures = run_together(fill, fill)
    assert failures == []
    for index, tab in enumerate(tabs):
        shown = tab.value("details", "name")
        if shown != f"tab{index}-vm-{SAVES}":
            lost.append(f"tab {index} at the end: {shown!r}")
        record, version = tab.record(live.app)
        assert record["input"]["details"]["name"] == [f"tab{index}-vm-{SAVES}"]
        # made (1), the making post's (empty) Details kept (2), then one write a save
        assert version == 2 + SAVES, f"tab {index}: {version - 2} writes for {SAVES} saves"
    print(f"\ntwo tabs, two wizards: {len(lost)} lost of {2 * SAVES} saves")
    assert lost == [], f"{len(lost)} lost of {2 * SAVES}: {lost}"


def test_two_tabs_saving_different_steps_of_one_wizard_keep_both(live, browsers):
    first = browsers()
    first.login()
    first.open()
    first.fill_all(name="merged")
    second = first.tab()
    second.url, second.token = first.url, first.token  # the same wizard, in another tab
    _, version_before = first.record(live.app)
    writes: list[int | None] = []
    store = live.app.extensions["skiff.state"].store
    put_versioned = store.put_versioned

    def counted(*args, **kwargs):
        written = put_versioned(*args, **kwargs)
        writes.append(written)
        return written

    # Count the conflicts the store sees (the app itself is not changed).
    store.put_versioned = counted
    lost: list[str] = []
    steps = (
        (first, "details", "name", lambda i: f"name-{i}", "next"),
        (second, "config", "hostname", lambda i: f"host-{i}", "back"),
    )

    def fill(index: int, barrier: threading.Barrier) -> None:
        tab, slug, field, value, nav = steps[index]
        for i in range(1, SAVES + 1):
            barrier.wait()  # both steps saved at the same moment
            extra = {"count": "1", "availability_zone": "nova"} if slug == "details" else {}
            tab.save(slug, nav, **{field: value(i)}, **extra)
            shown = tab.value(slug, field)
            if shown != value(i):
                lost.append(f"{slug}, save {i}: reads {shown!r}")

    try:
        failures = run_together(fill, fill)
    finally:
        del store.put_versioned
    assert failures == []
    record, version = first.record(live.app)
    for _, slug, field, value, _ in steps:
        if record["input"][slug][field] != [value(SAVES)]:
            lost.append(f"{slug} at the end: {record['input'][slug][field]!r}")
    conflicts = writes.count(None)
    print(
        f"\ntwo tabs, one wizard, two steps: {len(lost)} lost of {2 * SAVES} saves,"
        f" {conflicts} write conflicts merged"
    )
    assert lost == [], f"{len(lost)} lost of {2 * SAVES}: {lost}"
    assert conflicts > 0, "no two saves collided: the merge was not exercised"
    assert version == version_before + 2 * SAVES, (version_before, version)
    assert record["context"]["name"] == f"name-{SAVES}"
    assert "details" in record["done"]


def test_logout_forgets_the_wizards_of_tabs_opened_at_once(live, browsers, store_entries):
    first = browsers()
    first.login()
    tabs = [first, first.tab()]
    opened: list[str] = []

    def open_wizards(index: int, barrier: threading.Barrier) -> None:
        for _ in range(OPENED):
            barrier.wait()  # both tabs open a wizard at the same moment
            opened.append(tabs[index].open())

    failures = run_together(open_wizards, open_wizards)
    assert failures == []
    listed = first.wizard_ids(live.app)
    ids = sorted(url.rsplit("/", 1)[1] for url in opened)
    assert sorted(listed) == ids, "a wizard opened at once is missing from the index"
    response = first.post_form("/auth/logout", {"csrf_token": first.token})
    assert response.status_code == 303, response.status_code
    left = [key for key in store_entries() if any("wizard:" in part for part in key)]
    print(
        f"\ntwo tabs opening {len(opened)} wizards at once: {len(listed)} listed in the"
        f" login's index, {len(left)} wizard records left after logout"
    )
    assert left == [], f"{len(left)} of {len(opened)} wizards outlived the logout"
