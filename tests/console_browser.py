#!/usr/bin/python3
"""The staff console in a real browser: headless Chromium driven through WebDriver
(chromium-driver) against the real `service-api serve` on a temporary SQLite database and a
free loopback port, in one browser session.

The first admin and a window clerk are made with the CLI (`service-api account add`); the admin
adds a reviewer and enrols a kiosk in the console, and that kiosk's token takes tickets through
the API. Each role signs in and lands on its page, and cannot open another role's (403); a POST
without the session's CSRF token is refused; the clerk opens and closes the window, calls the
next ticket, and the API shows the kiosk's ticket called to the clerk's window, then served
and finished; a ticket called through the API appears on the desk by itself within a second,
and a redeemed receipt's with the materials still missing;
wrong passwords lock a login. The desk follows the queue across event streams (each lasts 30 s,
so this test waits that long once). axe-core runs on every console page: no serious or critical
violation. With CONSOLE_SCREENSHOTS set (e.g. to docs), each page is saved there as
console-*.png.

axe-core is pinned and installed with npm into ~/.cache/kiosk-axe-core on the first run (needs
the npm registry then), as scripts/schemathesis keeps Schemathesis: a test tool, not shipped,
so its 500 KB of minified script stays out of the repository.

Usage: tests/console_browser.py path/to/service-api
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.support.ui import WebDriverWait

from atspi_check import Tally, stop

AXE_VERSION = "4.14.1"
AXE_DIR = os.path.expanduser(f"~/.cache/kiosk-axe-core/{AXE_VERSION}")
WINDOW = 3
SERVICE = "residence-permit"  # served at window 3 only
PASSWORDS = {"admin": "admin-pass-2026", "li.ming": "window-3-pass", "wang.fang": "review-pass-1"}


class Checks(Tally):
    """A Tally that says each passed check too."""

    def check(self, ok, what):
        if ok:
            print("ok:", what)
        super().check(ok, what)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def eventually(check, seconds):
    """The first true value of check() within seconds, else None."""
    deadline = time.time() + seconds
    while True:
        value = check()
        if value or time.time() > deadline:
            return value
        time.sleep(0.05)


def gone(element):
    """Whether the element's page was replaced (by a form's answer)."""
    try:
        element.is_enabled()
        return False
    except WebDriverException:  # stale, or "does not belong to the document"
        return True


def axe_source():
    script = os.path.join(AXE_DIR, "node_modules", "axe-core", "axe.min.js")
    if not os.path.exists(script):
        subprocess.run(["npm", "install", "--silent", "--no-save", "--prefix", AXE_DIR, f"axe-core@{AXE_VERSION}"],
                       check=True)
    with open(script, encoding="utf-8") as f:
        return f.read()


class Api:
    """The service API over plain HTTP, as a kiosk or staff member."""

    def __init__(self, base):
        self.base = base

    def call(self, method, path, token=None, body=None, headers=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        if token:
            request.add_header("Authorization", "Bearer " + token)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def json(self, method, path, token, body=None):
        status, text = self.call(method, path, token, body)
        if status >= 400:
            raise AssertionError(f"{method} {path}: {status} {text}")
        return json.loads(text)


class Console:
    """The browser on the console."""

    def __init__(self, base, axe, tally, screenshots):
        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        for arg in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000",
                    "--lang=zh-CN"]:
            options.add_argument(arg)
        self.driver = webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))
        self.base, self.axe, self.tally, self.screenshots = base, axe, tally, screenshots

    def open(self, path):
        self.driver.get(self.base + path)

    def path(self):
        return self.driver.current_url[len(self.base):]

    def text(self, css="main"):
        return self.driver.find_element(By.CSS_SELECTOR, css).text

    def fill(self, field_id, value):
        field = self.driver.find_element(By.ID, field_id)
        field.clear()
        field.send_keys(value)

    def press(self, words):
        """Clicks the button whose text starts with words; a plain form's, until the next page."""
        buttons = [b for b in self.driver.find_elements(By.TAG_NAME, "button") if b.text.startswith(words)]
        if not buttons:
            raise AssertionError(f"no button {words!r} on {self.path()}: {self.text()}")
        htmx = buttons[0].find_element(By.XPATH, "./ancestor::form").get_attribute("hx-post")
        page = self.driver.find_element(By.TAG_NAME, "html")
        buttons[0].click()
        if not htmx:
            WebDriverWait(self.driver, 10).until(lambda _: gone(page))

    def sign_in(self, login, password):
        self.open("/console/sign-in")
        self.fill("login", login)
        self.fill("password", password)
        self.press("登录")

    def sign_out(self):
        self.press("退出登录")

    def status_of(self, path):
        """The HTTP status of a GET in the browser's session (the page's own request)."""
        return self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "fetch(arguments[0], {redirect: 'manual'}).then(r => done(r.status), e => done(String(e)));",
            path)

    def check_accessible(self, page):
        self.driver.execute_script(self.axe)
        violations = self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, {resultTypes: ['violations']})"
            ".then(r => done(r.violations.map(v => [v.id, v.impact, v.nodes.length, v.help])),"
            "      e => done([['axe failed', 'critical', 0, String(e)]]));")
        grave = [v for v in violations if v[1] in ("serious", "critical")]
        for v in violations:
            print(f"  axe on {page}: {v[1]} {v[0]} ({v[2]} elements): {v[3]}")
        self.tally.check(not grave, f"{page}: no serious or critical axe-core violation")

    def screenshot(self, name):
        if self.screenshots:
            self.driver.execute_script("window.scrollTo(0, 0)")
            self.driver.save_screenshot(os.path.join(self.screenshots, f"console-{name}.png"))

    def quit(self):
        self.driver.quit()


def cli(binary, *args, stdin=None):
    done = subprocess.run([binary, *args], input=stdin, capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        raise AssertionError(f"service-api {' '.join(args)}: {done.stderr}")
    return done.stdout.strip()


def main():
    binary = os.path.realpath(sys.argv[1])
    screenshots = os.environ.get("CONSOLE_SCREENSHOTS")
    if screenshots:
        os.makedirs(screenshots, exist_ok=True)
    tally = Checks()
    work = tempfile.mkdtemp(prefix="console-browser-")
    db = os.path.join(work, "center.sqlite")
    cli(binary, "account", "add", "--db", db, "--role", "admin", "--login", "admin", "--name", "张管理",
        stdin=PASSWORDS["admin"] + "\n")
    cli(binary, "account", "add", "--db", db, "--role", "window_clerk", "--login", "li.ming", "--name", "李明",
        "--window", str(WINDOW), stdin=PASSWORDS["li.ming"] + "\n")
    staff_token = cli(binary, "token", "add", "--db", db, "--role", "staff", "--name", "desk-cli")
    prereview_token = cli(binary, "token", "add", "--db", db, "--role", "prereview", "--name", "prereview")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([binary, "serve", "--db", db, "--listen", f"127.0.0.1:{port}"],
                              stdout=subprocess.DEVNULL)
    api = Api(base)
    console = None
    try:
        if not eventually(lambda: port_open(port) and api.call("GET", "/v1/health")[0] == 200, 20):
            raise AssertionError("the server did not start")
        console = Console(base, axe_source(), tally, screenshots)
        kiosk_token = check_admin(console, tally)
        check_clerk(console, api, tally, kiosk_token, staff_token, prereview_token)
        check_reviewer_and_lock(console, tally)
    finally:
        if console:
            console.quit()
        stop(server)
        shutil.rmtree(work, ignore_errors=True)
    print(f"{tally.passed} checks passed, {tally.failed} failed")
    sys.exit(1 if tally.failed else 0)


def port_open(port):
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def check_admin(console, tally):
    console.open("/console/desk")
    tally.check(console.path() == "/console/sign-in", "a page asks for sign-in first")
    console.check_accessible("sign-in")
    console.screenshot("sign-in")

    console.sign_in("admin", "not the password")
    tally.check("Wrong login or password" in console.text(), "a wrong password is told")
    console.screenshot("sign-in-wrong")

    console.sign_in("admin", PASSWORDS["admin"])
    tally.check(console.path() == "/console/admin", "the admin lands on the accounts page")
    tally.check("li.ming" in console.text("table") and "李明" in console.text("table"),
                "the accounts page lists the clerk made with the CLI")
    console.fill("new-login", "wang.fang")
    console.fill("new-name", "王芳")
    console.driver.find_element(By.CSS_SELECTOR, "#new-role option[value=reviewer]").click()
    console.fill("new-password", PASSWORDS["wang.fang"])
    console.press("添加账号")
    tally.check("Account wang.fang added" in console.text() and "王芳" in console.text("table"),
                "the admin adds a reviewer's account")
    console.fill("kiosk-id", "hall-1")
    console.press("生成令牌")
    kiosk_token = console.text("#new-token")
    tally.check(len(kiosk_token) == 48, "the admin enrols a kiosk and sees its token once")
    console.check_accessible("admin")
    console.screenshot("admin")

    console.open("/console/desk")
    tally.check(console.status_of("/console/desk") == 403, "the admin cannot open the window desk (403)")
    tally.check("仅限窗口工作人员" in console.text() and "window clerk" in console.text().lower(),
                "the refusal says whose page it is")
    console.check_accessible("forbidden")
    console.screenshot("forbidden")
    console.sign_out()
    return kiosk_token


def check_clerk(console, api, tally, kiosk_token, staff_token, prereview_token):
    console.sign_in("li.ming", PASSWORDS["li.ming"])
    tally.check(console.path() == "/console/desk", "the clerk lands on the window desk")
    tally.check(console.status_of("/console/admin") == 403, "the clerk cannot open the accounts page (403)")

    # A POST with the session's cookie but not its CSRF token is refused.
    session = next(c["value"] for c in console.driver.get_cookies() if c["name"] == "console_session")
    status, _ = api.call("POST", "/console/desk/close", headers={
        "Cookie": "console_session=" + session, "Content-Type": "application/x-www-form-urlencoded"})
    tally.check(status == 403, f"a desk action without the CSRF token is refused (got {status})")
    tally.check("开放中" in console.text("#desk"), "the window stayed open")

    console.press("关闭窗口")
    tally.check(eventually(lambda: "已关闭" in console.text("#desk"), 2), "the clerk closes the window")
    console.press("开放窗口")
    tally.check(eventually(lambda: "开放中" in console.text("#desk"), 2), "the clerk opens it again")

    ticket = api.json("POST", "/v1/tickets", kiosk_token, {"service_code": SERVICE, "priority": "elderly"})
    console.press("呼叫下一位")
    shown = eventually(lambda: ticket["number"] in console.text("#desk"), 2)
    tally.check(shown, f"the desk shows the ticket it called ({ticket['number']})")
    tally.check("老年人优先" in console.text("#desk") and "居住证" in console.text("#desk"),
                "the desk shows the ticket's priority and service")
    focused = console.driver.execute_script("return document.activeElement.id")
    tally.check(focused == "desk-start", f"the focus moves on to the next main action, Start (on {focused!r})")
    called = api.json("GET", f"/v1/tickets/{ticket['id']}", kiosk_token)
    tally.check(called["status"] == "called" and called["window_number"] == WINDOW,
                f"the kiosk's ticket, read through the API, is called to window {WINDOW}: {called['status']}")
    console.check_accessible("desk")
    console.screenshot("desk")

    console.press("再次呼叫")
    tally.check(eventually(lambda: "called again" in console.text("#desk-outcome"), 2), "the clerk calls again")
    console.press("开始办理")
    tally.check(eventually(lambda: "办理中" in console.text("#desk"), 2), "the clerk starts serving")
    console.press("办结")
    tally.check(eventually(lambda: "窗口暂时没有号" in console.text("#desk"), 2), "the clerk finishes")
    done = api.json("GET", f"/v1/tickets/{ticket['id']}", kiosk_token)
    tally.check(done["status"] == "done", f"the API shows the ticket done: {done['status']}")

    # A change from elsewhere (a staff member calling through the API) shows by itself.
    second = api.json("POST", "/v1/tickets", kiosk_token, {"service_code": SERVICE, "priority": "disabled"})
    api.json("POST", f"/v1/windows/{WINDOW}/call-next", staff_token)
    started = time.time()
    live = eventually(lambda: second["number"] in console.text("#desk"), 3)
    took = time.time() - started
    tally.check(live and took < 1.0, f"a ticket called through the API appears on the desk by itself ({took:.2f} s)")
    console.screenshot("desk-live")
    console.press("未到")
    tally.check(eventually(lambda: "窗口暂时没有号" in console.text("#desk"), 2), "the clerk marks a no-show")

    # An event stream lasts 30 s (console::desk::STREAM_LIFETIME); the next one follows on.
    # This time a resident redeems a pre-review receipt at the kiosk for a fast-track ticket.
    time.sleep(31)
    receipt = api.json("POST", "/v1/receipts", prereview_token,
                       {"service_code": SERVICE, "applicant": "张*明", "missing_materials": [1], "valid_days": 30})
    third = api.json("POST", "/v1/receipts/redeem", kiosk_token, {"number": receipt["number"]})["ticket"]
    api.json("POST", f"/v1/windows/{WINDOW}/call-next", staff_token)
    tally.check(eventually(lambda: third["number"] in console.text("#desk"), 1),
                "after its first event stream ends, the desk still follows the queue")
    material = api.json("GET", f"/v1/services/{SERVICE}", kiosk_token)["materials"][1]["name"]["zh"]
    tally.check(receipt["number"] in console.text("#desk") and material in console.text("#desk"),
                f"the desk shows the redeemed receipt and the material still missing ({material})")
    console.screenshot("desk-receipt")
    console.press("未到")
    tally.check(eventually(lambda: "窗口暂时没有号" in console.text("#desk"), 2), "the clerk marks that one a no-show too")

    # A session that ended (here: its cookie gone) sends a desk button to the sign-in page.
    console.driver.delete_cookie("console_session")
    console.press("关闭窗口")
    tally.check(eventually(lambda: console.path() == "/console/sign-in", 3),
                "a desk button without a session goes to the sign-in page")
    console.sign_in("li.ming", PASSWORDS["li.ming"])
    console.sign_out()
    tally.check(console.path() == "/console/sign-in", "signing out goes back to the sign-in page")
    console.open("/console/desk")
    tally.check(console.path() == "/console/sign-in", "after signing out the desk asks for sign-in again")


def check_reviewer_and_lock(console, tally):
    console.sign_in("wang.fang", PASSWORDS["wang.fang"])
    tally.check(console.path() == "/console" and "王芳" in console.text(), "the reviewer made by the admin signs in")
    tally.check(console.status_of("/console/desk") == 403 and console.status_of("/console/admin") == 403,
                "the reviewer opens neither the desk nor the accounts page")
    console.check_accessible("home")
    console.screenshot("home")
    console.sign_out()

    for _ in range(5):
        console.sign_in("wang.fang", "a wrong guess")
    console.sign_in("wang.fang", PASSWORDS["wang.fang"])
    tally.check(console.path() == "/console/sign-in" and "Too many wrong passwords" in console.text(),
                "after 5 wrong passwords even the right one is refused, and told why")
    console.check_accessible("sign-in, locked")
    console.screenshot("sign-in-locked")


if __name__ == "__main__":
    main()
