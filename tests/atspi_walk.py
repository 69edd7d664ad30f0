#!/usr/bin/python3
"""AT-SPI walk through every page type of the running kiosk, as a screen-reader user goes.

In scripts/test, instead of tests/atspi_check.py (whose helpers it uses). It failed until
Slint's AccessKit bridge stopped reusing a destroyed component's id at once (vendor/README.md):
the next page's buttons took over the AT-SPI paths of the last page's labels, and libatspi,
which keeps the interfaces it read for a path, found no action on them.

Starts Xvfb, a D-Bus session with the accessibility bus enabled, and the kiosk (windowed,
embedded service API in a temporary directory); then goes from page to page through the
accessibility tree, pressing buttons through AT-SPI as a screen-reader user would: home, the
guides, a whole ticket (services, each step, the entry keypad, the confirmation, the
ticket), the receipt's camera page and keypad, the pension explanation and ID keypad, the
interpreter's waiting page with its self-view, the volume page, the staff-call reasons and
the idle warning. On every page, every control has a name and an action; a toggle exposes its
state. An interpreter is put on duty in the embedded server's database first, so that the
call waits instead of being answered as unavailable.

Usage: tests/atspi_walk.py path/to/kiosk
"""

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

from gi.repository import GLib

# The session, the tree walk and the kiosk's lookup are the check's own (same folder).
from atspi_check import Tally, buttons, find_kiosk, name_of, start_session, stop, stop_session, walk


def main():
    binary = sys.argv[1]
    xvfb, bus, dbus_pid = start_session()
    data_dir = tempfile.mkdtemp(prefix="kiosk-atspi-")
    # The shortest idle timeout, so the idle warning's overlay is reached too.
    kiosk = subprocess.Popen([binary, "--windowed", "--data-dir", data_dir, "--idle-timeout", "20"])
    tally = Tally()
    check = tally.check
    late_actions = []

    try:
        import pyatspi

        app = find_kiosk(pyatspi, "您好，请选择要办理的事项", time.time() + 60)
        check(app is not None, "the kiosk's home page appears in the AT-SPI tree")
        if app is None:
            return 1

        # An interpreter on duty, as the interpreters' own client would say (the embedded
        # server's database is ready once the home page shows): with none, a call is answered
        # at once as unavailable, and there is no waiting page to walk.
        db = sqlite3.connect(os.path.join(data_dir, "service-api.sqlite"), timeout=10)
        with db:
            db.execute("INSERT INTO interpreters (name, on_duty, changed_at) VALUES ('atspi-walk', 1, ?)",
                       (int(time.time() * 1000),))
        db.close()

        def named(name):
            return [b for b in buttons(pyatspi, app) if b.name == name]

        def names():
            return sorted(b.name for b in buttons(pyatspi, app))

        def until(value, seconds=30):
            """The first true value of `value()` within `seconds`, else the last one."""
            deadline = time.time() + seconds
            while True:
                try:
                    found = value()
                except GLib.GError:  # a node that went meanwhile
                    found = None
                if found or time.time() > deadline:
                    return found
                time.sleep(0.2)

        def shows(name, seconds=10):
            """Waits until something named `name` is in the tree."""
            deadline = time.time() + seconds
            while time.time() < deadline:
                if any(name_of(n) == name for n in walk(app)):
                    return True
                time.sleep(0.2)
            return False

        def actions(button):
            """How many actions the control offers; 0 when it has no action interface."""
            try:
                return button.queryAction().nActions
            except (NotImplementedError, GLib.GError):  # no action, or gone meanwhile
                return 0

        def press(name, then):
            """Presses the button `name` through AT-SPI, as Orca would, and waits for `then`.
            A control just created may show its name before its action: it is looked up
            again for up to 5 s (how often that happens is printed at the end)."""
            deadline = time.time() + 5
            found = named(name)
            while found and actions(found[0]) == 0 and time.time() < deadline:
                late_actions.append(name)
                time.sleep(0.2)
                found = named(name)
            check(len(found) >= 1, f"a button named {name!r}")
            if found and actions(found[0]) > 0:
                found[0].queryAction().doAction(0)
                check(shows(then), f"pressing {name!r} shows {then!r}")
            else:
                check(False, f"{name!r} has no action after 5 s")

        def page(what, expected=()):
            """Every control of the page has a name and an action once the page has settled
            (a second after it came)."""
            time.sleep(1)
            found = buttons(pyatspi, app)
            check(len(found) > 0, f"{what}: controls in the tree")
            for button in found:
                check(button.name.strip() != "", f"{what}: a control without a name: {button}")
                check(actions(button) > 0, f"{what}: {button.name!r} has no action")
            for name in expected:
                check(any(b.name == name for b in found), f"{what}: {name!r} is exposed")

        def checked(name, expected):
            """Whether the toggle `name` reports the `expected` state within 2 s. A toggle
            button says it is on with STATE_PRESSED (AT-SPI's convention, as GTK 4 and AccessKit
            do; Orca reads it as "pressed"), a check box with STATE_CHECKED."""
            deadline = time.time() + 2
            while time.time() < deadline:
                for toggle in named(name)[:1]:
                    try:
                        state = toggle.getState()
                        on = state.contains(pyatspi.STATE_CHECKED) or (
                            toggle.getRole() == pyatspi.ROLE_TOGGLE_BUTTON and state.contains(pyatspi.STATE_PRESSED))
                    except GLib.GError:  # gone meanwhile
                        continue
                    if on == expected:
                        return True
                time.sleep(0.2)
            return False

        home_buttons = buttons(pyatspi, app)
        print("buttons on the home page:", ", ".join(b.name for b in home_buttons))
        check(len(home_buttons) >= 16, f"home shows 7 tiles and 9 bar buttons, found {len(home_buttons)}")
        page("home", ["办事指南", "帮助"])

        # A toggle exposes its state.
        check(checked("高对比度", False), "high contrast starts unchecked")
        press("高对比度", "高对比度")
        check(checked("高对比度", True), "high contrast is checked once pressed")
        press("高对比度", "高对比度")

        press("办事指南", "社会保障")
        page("guide categories")
        press("首页", "办事指南")

        # A whole ticket: the services, each step, the keypad, the confirmation, the ticket.
        press("取号排队", "社保参保登记")
        page("services")
        press("社保参保登记", "首页")
        # Each step is waited for (a busy machine may take a while to show the next page).
        steps = {"我知道了，下一步": ("information step", []), "我是60岁以上老人": ("choice step", []),
                 "跳过，不填写": ("entry keypad", ["1", "5", "0", "删除", "清空", "确定"]), "确认取号": None}
        for _ in range(6):
            step = until(lambda: next((name for name in steps if named(name)), None))
            if steps.get(step) is None:
                break
            what, expected = steps[step]
            page(what, expected)
            before = names()
            press(step, "首页")
            until(lambda: names() != before)
        page("confirmation", ["确认取号"])
        press("确认取号", "完成，返回首页")
        page("ticket")
        press("完成，返回首页", "扫描预审回执")

        # The receipt: the camera page (no camera here: its message), then the keypad.
        press("扫描预审回执", "输入回执编号")
        page("scan")
        press("输入回执编号", "清空")
        page("receipt keypad", ["1", "0", "删除"])
        press("首页", "扫描预审回执")

        press("养老金资格认证", "同意，开始")
        page("pension explanation")
        press("同意，开始", "清空")
        page("ID keypad", ["X", "删除"])
        press("首页", "养老金资格认证")

        press("手语服务", "取消呼叫")
        page("interpreter waiting, with the camera's self-view")
        press("取消呼叫", "养老金资格认证")

        press("帮助", "调节音量")
        page("help")
        press("调节音量", "大声一点")
        page("volume", ["小声一点"])
        press("首页", "养老金资格认证")

        # Staff: the home tile and the bar's button share the name; either asks the reason.
        press("呼叫工作人员", "轮椅协助")
        page("staff-call reasons")
        press("首页", "养老金资格认证")

        # The idle warning's overlay, after 20 s without a touch.
        check(shows("我还需要时间", 40), "the idle warning appears")
        page("idle warning", ["我还需要时间"])
        press("我还需要时间", "养老金资格认证")
    finally:
        stop(kiosk)
        stop_session(xvfb, bus, dbus_pid)
        shutil.rmtree(data_dir, ignore_errors=True)

    late = len(late_actions)
    print(f"atspi: {tally.passed} passed, {tally.failed} failed; controls seen without their action at first: {late}")
    return 1 if tally.failed else 0


if __name__ == "__main__":
    sys.exit(main())
