#!/usr/bin/python3
"""AT-SPI check of the running kiosk, as a screen reader such as Orca sees it.

Starts Xvfb, a D-Bus session with the accessibility bus enabled, and the kiosk (windowed,
embedded service API in a temporary directory); then walks the accessibility tree and checks
that every button has a non-empty name and a working action, by pressing one through AT-SPI.

Usage: tests/atspi_check.py path/to/kiosk
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from gi.repository import GLib

DISPLAY = ":93"


def start_session():
    """Xvfb, a D-Bus session bus and the AT-SPI bus; returns the processes to stop."""
    xvfb = subprocess.Popen(["Xvfb", DISPLAY, "-screen", "0", "1920x1080x24", "-nolisten", "tcp"])
    os.environ["DISPLAY"] = DISPLAY
    out = subprocess.check_output(["dbus-launch", "--sh-syntax"]).decode()
    dbus_pid = None
    for line in out.splitlines():
        if "=" in line and not line.startswith("export"):
            key, value = line.rstrip(";").split("=", 1)
            value = value.strip("'")
            os.environ[key] = value
            if key == "DBUS_SESSION_BUS_PID":
                dbus_pid = int(value)
    os.environ["NO_AT_BRIDGE"] = "0"
    bus = subprocess.Popen(["/usr/libexec/at-spi-bus-launcher", "--launch-immediately"])
    time.sleep(0.5)
    subprocess.run(
        ["dbus-send", "--session", "--print-reply", "--dest=org.a11y.Bus", "/org/a11y/bus",
         "org.freedesktop.DBus.Properties.Set", "string:org.a11y.Status", "string:IsEnabled",
         "variant:boolean:true"],
        check=True, stdout=subprocess.DEVNULL)
    return xvfb, bus, dbus_pid


def walk(node, depth=0):
    """The node and everything under it. A node that goes away while the tree is read (a page
    change under way) is left out with what was under it, as a screen reader skips an object
    that has become defunct: AT-SPI gives no snapshot of a tree."""
    yield node
    if depth > 60:
        return
    try:
        count = node.childCount
    except GLib.GError:
        return
    for i in range(count):
        try:
            child = node.getChildAtIndex(i)
        except GLib.GError:
            continue
        if child is not None:
            yield from walk(child, depth + 1)


def name_of(node):
    """The node's name, or None when it has just gone away."""
    try:
        return node.name
    except GLib.GError:
        return None


def find_kiosk(pyatspi, title, deadline):
    """The kiosk's application object, once its tree shows the home page title."""
    while time.time() < deadline:
        desktop = pyatspi.Registry.getDesktop(0)
        for i in range(desktop.childCount):
            app = desktop.getChildAtIndex(i)
            if app is None:
                continue
            try:
                if any(name_of(node) == title for node in walk(app)):
                    return app
            except Exception:  # an application that went away while we looked
                continue
        time.sleep(0.2)
    return None


def buttons(pyatspi, app):
    """Every control a resident can press: push buttons, and toggles such as high contrast."""
    roles = {pyatspi.ROLE_PUSH_BUTTON, pyatspi.ROLE_TOGGLE_BUTTON, pyatspi.ROLE_CHECK_BOX}
    found = []
    for node in walk(app):
        try:
            # The name is read here too, so that it is known once the control is listed.
            if node.getRole() in roles and node.name is not None:
                found.append(node)
        except GLib.GError:  # gone while the tree was read
            continue
    return found


class Tally:
    """The checks of a run: counted, and each failure printed."""

    def __init__(self):
        self.passed, self.failed = 0, 0

    def check(self, ok, what):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL:", what)


def stop(process):
    """SIGTERM, then SIGKILL if it is still there after 10 s."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()


def stop_session(xvfb, bus, dbus_pid):
    """Ends what start_session started."""
    bus.terminate()
    if dbus_pid:
        os.kill(dbus_pid, signal.SIGTERM)
    xvfb.terminate()


def main():
    binary = sys.argv[1]
    xvfb, bus, dbus_pid = start_session()
    data_dir = tempfile.mkdtemp(prefix="kiosk-atspi-")
    kiosk = subprocess.Popen([binary, "--windowed", "--data-dir", data_dir])
    tally = Tally()
    check = tally.check

    try:
        import pyatspi

        app = find_kiosk(pyatspi, "您好，请选择要办理的事项", time.time() + 60)
        check(app is not None, "the kiosk's home page appears in the AT-SPI tree")
        if app is None:
            return 1

        home_buttons = buttons(pyatspi, app)
        print("buttons on the home page:", ", ".join(b.name for b in home_buttons))
        check(len(home_buttons) >= 14, f"home shows 5 tiles and 9 bar buttons, found {len(home_buttons)}")
        for button in home_buttons:
            check(button.name.strip() != "", f"a button without a name: {button}")
            action = button.queryAction()
            check(action.nActions > 0, f"button {button.name!r} has an action")

        # Press "办事指南" through AT-SPI, as Orca would, and the guide categories appear.
        guides = [b for b in home_buttons if b.name == "办事指南"]
        check(len(guides) == 1, "the 办事指南 tile is exposed by its label")
        if guides:
            guides[0].queryAction().doAction(0)
            deadline = time.time() + 10
            seen = False
            while time.time() < deadline and not seen:
                time.sleep(0.2)
                seen = any(name_of(n) == "社会保障" for n in walk(app))
            check(seen, "pressing 办事指南 through AT-SPI opens the guide categories")
            for button in buttons(pyatspi, app):
                check(button.name.strip() != "", f"a button without a name on the guides page: {button}")
    finally:
        stop(kiosk)
        stop_session(xvfb, bus, dbus_pid)
        shutil.rmtree(data_dir, ignore_errors=True)

    print(f"atspi: {tally.passed} passed, {tally.failed} failed")
    return 1 if tally.failed else 0


if __name__ == "__main__":
    sys.exit(main())
