#!/usr/bin/python3
"""The interpreter's video call with a real second window (tests/video_stub.py) on a display
without a window manager, as in the kiosk session: the video goes below the kiosk's bar and
above its captions, stays there when it makes itself full screen, and leaves the keyboard
with the kiosk; the bar's 结束通话, touched, and the keypad's sign-language key (F9) each end
the call and close the window; an interpreter who leaves without ending the call is taken for
gone by the API, the window closes, the kiosk says so, and with nobody touching it the session
is wiped. With KIOSK_SCREENSHOTS set, the screen during the call is
saved there as video-call.png.

Starts Xvfb with the accessibility bus (as tests/atspi_check.py does, to find the bar's
buttons), the service API (tokens for the kiosk and an interpreter), and the kiosk against
it with the stub as its video command; the interpreter accepts through the API's CLI, and
the resident's touches and keys are sent through XTEST.

Usage: tests/video_call_check.py path/to/kiosk path/to/service-api
"""

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time

from Xlib import X, XK, display as xdisplay
from Xlib.ext import xtest

from atspi_check import Tally, buttons, find_kiosk, name_of, start_session, stop, stop_session, walk

HERE = os.path.dirname(os.path.abspath(__file__))
MAGENTA = (255, 0, 255)
HOME_TITLE = "您好，请选择要办理的事项"
GONE = "翻译员已经离开，视频通话已结束。需要帮助可以请工作人员过来。"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def eventually(what, check, seconds=20):
    deadline = time.time() + seconds
    while time.time() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("timed out waiting for " + what)


class Screen:
    """The X display, as a test sees and touches it."""

    def __init__(self):
        self.d = xdisplay.Display()
        self.root = self.d.screen().root
        self.pid_atom = self.d.intern_atom("_NET_WM_PID")

    def windows(self):
        """Shown top-level windows: (window, pid, name)."""
        found = []
        for w in self.root.query_tree().children:
            try:
                if w.get_attributes().map_state != X.IsViewable:
                    continue
                prop = w.get_full_property(self.pid_atom, X.AnyPropertyType)
                found.append((w, prop.value[0] if prop else None, w.get_wm_name()))
            except Exception:  # gone while we looked
                continue
        return found

    def video(self):
        return next((w for w, _, name in self.windows() if name == "video-stub"), None)

    def geometry(self, window):
        g = window.get_geometry()
        at = window.translate_coords(self.root, 0, 0)
        return (-at.x, -at.y, g.width, g.height)

    def pixel(self, x, y):
        raw = self.root.get_image(x, y, 1, 1, X.ZPixmap, 0xFFFFFFFF).data
        return (raw[2], raw[1], raw[0])

    def focus(self):
        return self.d.get_input_focus().focus

    def touch(self, x, y):
        xtest.fake_input(self.d, X.MotionNotify, x=x, y=y)
        xtest.fake_input(self.d, X.ButtonPress, 1)
        xtest.fake_input(self.d, X.ButtonRelease, 1)
        self.d.sync()

    def key(self, name):
        code = self.d.keysym_to_keycode(XK.string_to_keysym(name))
        xtest.fake_input(self.d, X.KeyPress, code)
        xtest.fake_input(self.d, X.KeyRelease, code)
        self.d.sync()


def main():
    kiosk_binary, service_api = sys.argv[1], sys.argv[2]
    xvfb, bus, dbus_pid = start_session()
    tmp = tempfile.mkdtemp(prefix="kiosk-video-")
    processes = []
    tally = Tally()
    check = tally.check

    try:
        import pyatspi

        db = os.path.join(tmp, "api.sqlite")

        def token(role, name):
            out = subprocess.check_output([service_api, "token", "add", "--db", db, "--role", role, "--name", name])
            return out.decode().split()[-1]

        kiosk_token, interpreter_token = token("kiosk", "kiosk-1"), token("interpreter", "王老师")
        api = "http://127.0.0.1:%d" % free_port()
        processes.append(subprocess.Popen(
            [service_api, "serve", "--db", db, "--listen", api[len("http://"):],
             "--video-base-url", "https://meet.example.invalid"]))

        def interpreter(*args):
            return subprocess.run([service_api, "interpreter", "--api", api, "--token", interpreter_token, *args],
                                  capture_output=True, text=True)

        eventually("the API", lambda: interpreter("on-duty").returncode == 0)
        stub = "/usr/bin/python3 %s/video_stub.py {x} {y} {width} {height} {url}" % HERE
        kiosk = subprocess.Popen(
            [kiosk_binary, "--windowed", "--api-url", api, "--token", kiosk_token, "--kiosk-id", "kiosk-1",
             "--data-dir", os.path.join(tmp, "kiosk"), "--video-command", stub, "--idle-timeout", "20"])
        processes.append(kiosk)
        app = find_kiosk(pyatspi, HOME_TITLE, time.time() + 60)
        check(app is not None, "the kiosk's home page appears")
        if app is None:
            return 1
        screen = Screen()

        def named(name):
            try:
                return next((b for b in buttons(pyatspi, app) if b.name == name), None)
            except Exception:  # a node of the page that just went
                return None

        def touch_button(name):
            button = eventually(name, lambda: named(name))
            box = button.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
            screen.touch(box.x + box.width // 2, box.y + box.height // 2)

        def a_call_opens_its_video():
            """The resident asks; the interpreter accepts; the stub's window appears."""
            queued = eventually("a queued call", lambda: interpreter("queue").stdout.split())
            call = queued[0]  # each line starts with the call's id
            check(interpreter("accept", call).returncode == 0, "the interpreter accepts " + call)
            return call, eventually("the video window", screen.video, 30)

        for ending in ["the bar's button", "the keypad's key"]:
            touch_button("手语服务")
            call, video = a_call_opens_its_video()
            time.sleep(3.5)  # the stub has made itself full screen and taken the keyboard
            x, y, width, height = screen.geometry(video)
            check(y > 40 and x == 0 and width == 1920 and y + height <= 1080,
                  "the video is kept below the bar: %r" % ((x, y, width, height),))
            check(screen.pixel(960, 10) != MAGENTA, "the kiosk's bar shows above the video")
            check(screen.pixel(960, y + 100) == MAGENTA, "the video shows below the bar")
            shots = os.environ.get("KIOSK_SCREENSHOTS")
            if shots and ending == "the bar's button":
                subprocess.run(["import", "-window", "root", os.path.join(shots, "video-call.png")], check=False)
            ours = [w for w, pid, _ in screen.windows() if pid == kiosk.pid]
            check(bool(ours) and screen.focus() == ours[0], "the keyboard stays with the kiosk")
            if ending == "the bar's button":
                touch_button("结束通话")
            else:
                screen.key("F9")
            try:
                eventually("the video window to close", lambda: screen.video() is None, 10)
                check(True, "%s ends the call and closes the video" % ending)
            except AssertionError as e:
                check(False, "%s: %s" % (ending, e))
            ended = interpreter("end", call).stdout
            check(" ended" in ended, "the kiosk ended the call in the API: %s" % ended)
            interpreter("on-duty")
            touch_button("首页")

        def shown(text):
            try:
                return any(name_of(node) == text for node in walk(app))
            except Exception:  # a node of the page that just went
                return False

        # The interpreter closes their browser without ending the call. The API takes them for
        # gone after 3 minutes without a read; here their last read is moved back instead.
        touch_button("手语服务")
        call, video = a_call_opens_its_video()
        with sqlite3.connect(db, timeout=10) as c:
            c.execute("UPDATE interpreter_calls SET interpreter_seen_at = interpreter_seen_at - 200000 WHERE id = ?",
                      (call,))
        try:
            eventually("the video window to close", lambda: screen.video() is None, 10)
            eventually("the kiosk to say the interpreter left", lambda: shown(GONE), 10)
            check(True, "a call the interpreter left ends, closes the video and says so")
            eventually("the session to be wiped", lambda: shown(HOME_TITLE), 20 + 30 + 20)
            check(True, "with nobody touching the kiosk after it, the session is wiped")
        except AssertionError as e:
            check(False, "the interpreter leaving: %s" % e)
        return 1 if tally.failed else 0
    finally:
        print("video call check: %d passed, %d failed" % (tally.passed, tally.failed))
        for p in reversed(processes):  # the kiosk, then the API
            stop(p)
        stop_session(xvfb, bus, dbus_pid)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
