"""A server page polling in one tab while a wizard is filled in in another: no
save may go back to older input.

The server page polls ``GET /servers/<id>`` (the whole page, then the htmx
fragment, first every 0.5 s) for as long as the server builds; each poll takes the demo
cloud's latency. When every request wrote the whole session back at its end, a
poll that started before a step was saved put the older wizard back when it
ended (5 of 30 saves lost, measured). Here every save is made while a poll is
in flight, and read back during the next poll, once that one is over: a page that only reads must
write nothing, and a wizard must not travel with the session.
"""

from __future__ import annotations

import threading
import time

SAVES = 30
#: the other step saved after each Details save, in turn (Back: kept, not checked)
OTHERS = (("config", "hostname", "host-{}"), ("network", "ip_1", "10.0.0.{}"))
#: seconds to let a poll's request reach the app (and read the session) before saving
HEAD_START = 0.03
#: seconds any wait for the polling thread may take
WAIT = 30


class Polls:
    """Counts the polls started and finished, for the main thread to wait on."""

    def __init__(self) -> None:
        self.changed = threading.Condition()
        self.started = 0
        self.finished = 0
        self.htmx = 0

    def wait_for(self, predicate) -> None:
        with self.changed:
            assert self.changed.wait_for(predicate, timeout=WAIT), "the page stopped polling"


def sessions(entries: dict) -> dict:
    """The entries of session records (a rewritten field is sealed anew: other bytes)."""
    return {key: value for key, value in entries.items() if any("session:" in k for k in key)}


def test_a_polling_server_page_loses_no_saved_step(live, browsers, store_entries):
    tab = browsers()
    tab.login()
    tab.open()
    server_page = tab.fill_all(name="polled").launch()
    tab.open()  # the wizard being filled in, in the other tab
    tab.fill_all(name="vm-0")
    session_before = sessions(store_entries())
    _, version_before = tab.record(live.app)

    stop = threading.Event()
    polls = Polls()
    failures: list[str] = []

    def poll() -> None:
        poller = tab.tab()  # the same browser: same login, same cookie
        htmx = False
        try:
            while not stop.is_set():
                with polls.changed:
                    polls.started += 1
                    polls.changed.notify_all()
                response = poller.get(server_page, htmx=htmx)
                if response.status_code != 200 or 'hx-trigger="load delay:' not in response.text:
                    failures.append(f"poll: {response.status_code} {response.text[:200]}")
                    return
                with polls.changed:
                    polls.finished += 1
                    polls.htmx += htmx
                    polls.changed.notify_all()
                htmx = not htmx
        except Exception as error:  # reported by the main thread
            failures.append(f"poll: {error!r}")
        finally:
            stop.set()
            with polls.changed:
                polls.changed.notify_all()

    poller = threading.Thread(target=poll)
    poller.start()
    lost: list[str] = []
    typed: dict[tuple[str, str], str] = {}
    spanned = 0  # iterations whose two saves were made wholly within one poll

    def read_back(when: str) -> None:
        for (slug, field), value in typed.items():
            shown = tab.value(slug, field)
            if shown != value:
                lost.append(f"{when}: {slug}.{field} shows {shown!r}, typed {value!r}")

    try:
        for i in range(1, SAVES + 2):
            # A new poll: it read the session before what follows, and the poll
            # that was in flight during the last saves is over.
            seen = polls.started
            polls.wait_for(lambda seen=seen: stop.is_set() or polls.started > seen)
            if stop.is_set():
                break
            ongoing = polls.started
            time.sleep(HEAD_START)
            read_back(f"after save {i - 1}")
            if i > SAVES:
                break
            tab.save("details", name=f"vm-{i}", count="1", availability_zone="nova")
            typed["details", "name"] = f"vm-{i}"
            slug, field, value = OTHERS[i % len(OTHERS)]
            tab.save(slug, "back", **{field: value.format(i)})
            typed[slug, field] = value.format(i)
            with polls.changed:
                spanned += polls.finished < ongoing  # that poll is still in flight
    finally:
        stop.set()
        poller.join(timeout=WAIT)
    assert not poller.is_alive()
    assert failures == []

    record, version = tab.record(live.app)
    session_after = sessions(store_entries())
    for (slug, field), value in typed.items():
        if record["input"][slug][field] != [value]:
            lost.append(f"at the end: {slug}.{field} holds {record['input'][slug][field]!r}")
    rewritten = [key for key in session_after if session_after[key] != session_before.get(key)]
    print(
        f"\npolling tab: {SAVES} Details saves and {SAVES} other saves during"
        f" {polls.finished} polls ({polls.htmx} htmx), {spanned} of {SAVES} pairs wholly"
        f" within one poll, each read back after it: {len(lost)} lost;"
        f" {version - version_before} wizard writes, {len(rewritten)} session fields rewritten"
    )
    assert len(typed) == 1 + len(OTHERS), "not every save was made"
    assert polls.finished >= SAVES, f"only {polls.finished} polls: no race"
    assert spanned >= SAVES // 3, f"only {spanned} of {SAVES} saves made during a poll"
    assert lost == [], f"{len(lost)} of {2 * SAVES} saves lost: {lost}"
    # Polls and step pages write nothing: not the session, not the wizard.
    assert session_before and session_after == session_before, f"GETs wrote {rewritten}"
    assert version == version_before + 2 * SAVES, (version_before, version)
