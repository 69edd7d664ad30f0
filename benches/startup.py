#!/usr/bin/python3
"""Start-up benchmark: cold start to the first pixels of the home screen, and memory once it
is shown, for the kiosk (with its embedded service API) and, in the same run, for Chromium
`--kiosk --app` on the same home screen as a static page (benches/home.html).

"First pixels" is the moment the screen of a fresh Xvfb first shows a painted page with
text: at least 25% light pixels and 0.3% dark ones (the background alone, or a blank
window, does not count). The screen is watched with the X DAMAGE extension: the X server
sends an event, stamped with its own clock (CLOCK_MONOTONIC, in ms), for every drawing on
the screen; after each batch the whole screen is read and checked, and a painted screen is
timed at the last drawing that came before that read. (Polling the screen instead, even one
bit plane of it every 5 ms, kept the single-threaded X server busy, so every X request of
the program being timed waited behind the poll: the kiosk's start-up makes some hundred.)
Memory: RSS summed over the process tree, and PSS (shared pages split fairly).

Usage: benches/startup.py path/to/kiosk [runs] [path/to/another/kiosk]
The other kiosk (a build from before a change, say) is measured in the same run, each of its
starts beside the first kiosk's, so that both meet the same machine.
"""

import collections
import os
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

from Xlib import X, display as xdisplay
from Xlib.ext import damage

WIDTH, HEIGHT = 1920, 1080
DISPLAY = ":94"
HERE = os.path.dirname(os.path.abspath(__file__))


def painted(image_bytes):
    """Whether a BGRX screen image shows a page with text."""
    # Every 7th pixel is enough; a screen has few distinct colours, so count them first.
    colours = collections.Counter(memoryview(image_bytes).cast("I")[::7])
    total = light = dark = 0
    for bgrx, count in colours.items():
        blue, green, red = bgrx & 0xFF, (bgrx >> 8) & 0xFF, (bgrx >> 16) & 0xFF
        luma = (299 * red + 587 * green + 114 * blue) // 1000
        total += count
        light += count if luma > 180 else 0
        dark += count if luma < 100 else 0
    return light > 0.25 * total and dark > 0.003 * total


def tree(pid):
    """pid and all its descendants."""
    pids, frontier = [pid], [pid]
    while frontier:
        parent = frontier.pop()
        try:
            children = open(f"/proc/{parent}/task/{parent}/children").read().split()
        except OSError:
            continue
        pids += [int(c) for c in children]
        frontier += [int(c) for c in children]
    return pids


def memory_mb(pid):
    rss = pss = 0
    for p in tree(pid):
        try:
            for line in open(f"/proc/{p}/smaps_rollup"):
                if line.startswith("Rss:"):
                    rss += int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1])
        except OSError:
            pass
    return rss / 1024, pss / 1024


def server_ms():
    """Now on the X server's clock: CLOCK_MONOTONIC in ms, on 32 bits."""
    return int(time.monotonic() * 1000) & 0xFFFFFFFF


def drawings(x, notify, since):
    """When the drawings whose events (of type `notify`) have arrived were done, in ms after
    `since`."""
    times = []
    while x.pending_events():
        event = x.next_event()
        if event.type == notify:
            times.append((event.timestamp - since) & 0xFFFFFFFF)
    return times


def measure(x, command, env):
    root = x.screen().root
    # Asked here, not while the program starts: every request takes the X server's time.
    notify = x.query_extension("DAMAGE").first_event + damage.DamageNotifyCode
    watch = root.damage_create(damage.DamageReportRawRectangles)
    x.sync()
    drawings(x, notify, 0)  # creating the watch reports the whole screen once
    start = server_ms()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)

    def elapsed():
        return (server_ms() - start) & 0xFFFFFFFF

    first_pixels = None
    drawn, asked = [], -1
    while elapsed() < 30_000:
        select.select([x], [], [], 0.25)
        drawn += drawings(x, notify, start)
        if not drawn or max(drawn) < asked:
            continue  # nothing drawn since the last image was asked for
        asked = elapsed()
        image = root.get_image(0, 0, WIDTH, HEIGHT, X.ZPixmap, 0xFFFFFFFF).data
        replied = elapsed()
        drawn += drawings(x, notify, start)
        if painted(image):
            # The image shows a drawing done before its reply; the latest such, to be safe.
            first_pixels = max(t for t in drawn if t <= replied)
            break
    x.damage_destroy(watch)
    x.sync()
    time.sleep(1.0)  # let it settle before reading memory
    rss, pss = memory_mb(process.pid)
    stop(process)
    return first_pixels, rss, pss


def stop(process):
    """Ends the program and all its processes, so the next start does not run beside its
    shutdown (Chromium's helpers outlive its main process by a second or more)."""
    os.killpg(process.pid, signal.SIGTERM)
    process.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        os.killpg(process.pid, signal.SIGKILL)
    time.sleep(0.5)  # the window is gone and the machine quiet before the next run


def main():
    kiosk = os.path.abspath(sys.argv[1])
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    other = os.path.abspath(sys.argv[3]) if len(sys.argv) > 3 else None
    xvfb = subprocess.Popen(["Xvfb", DISPLAY, "-screen", "0", f"{WIDTH}x{HEIGHT}x24", "-nolisten", "tcp"])
    time.sleep(1)
    env = dict(os.environ, DISPLAY=DISPLAY)
    # One connection for the whole run: Xvfb resets when its last client leaves.
    x = xdisplay.Display(DISPLAY)
    x.damage_query_version()  # the extension answers nothing else before it
    results = {"kiosk": [], "chromium": []}
    if other:
        results["other"] = []
    # The kiosk's embedded API database, created (migrations, demo catalog) by a first start
    # that is not counted: an installed kiosk starts on its existing database.
    data = tempfile.mkdtemp(prefix="kiosk-bench-")
    kiosk_command = [kiosk, "--windowed", "--data-dir", data]
    # Its own database: an older kiosk refuses one that a newer one has migrated further.
    other_data = tempfile.mkdtemp(prefix="kiosk-bench-other-")
    other_command = [other, "--windowed", "--data-dir", other_data] if other else None
    try:
        measure(x, kiosk_command, env)
        if other_command:
            measure(x, other_command, env)
        for run in range(runs):
            results["kiosk"].append(measure(x, kiosk_command, env))
            if other_command:
                results["other"].append(measure(x, other_command, env))
            profile = tempfile.mkdtemp(prefix="chromium-bench-")
            results["chromium"].append(measure(
                x, ["chromium", "--kiosk", f"--app=file://{HERE}/home.html", "--no-sandbox", "--disable-gpu",
                 "--no-first-run", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-quic", f"--user-data-dir={profile}"], env))
            shutil.rmtree(profile, ignore_errors=True)
    finally:
        xvfb.terminate()
        shutil.rmtree(data, ignore_errors=True)
        shutil.rmtree(other_data, ignore_errors=True)

    print(f"start-up to first pixels of the home screen, {runs} cold starts each, 1920x1080 Xvfb")
    if other:
        print(f"kiosk: {kiosk}\nother: {other}")
    print(f"{'':10} {'first pixels ms (median)':>26} {'RSS MB':>8} {'PSS MB':>8}")
    medians = {}
    for name, samples in results.items():
        times = [s[0] for s in samples if s[0] is not None]
        if len(times) < len(samples):
            print(f"{name}: {len(samples) - len(times)} runs never showed the page")
        medians[name] = (statistics.median(times) if times else float("nan"),
                         statistics.median(s[1] for s in samples), statistics.median(s[2] for s in samples))
        t, rss, pss = medians[name]
        print(f"{name:10} {t:26.0f} {rss:8.0f} {pss:8.0f}")
    k, c = medians["kiosk"], medians["chromium"]
    print(f"kiosk is {c[0] / k[0]:.1f}x faster to first pixels and {c[1] / k[1]:.1f}x lighter in RSS "
          f"({c[2] / k[2]:.1f}x in PSS)")


if __name__ == "__main__":
    main()
