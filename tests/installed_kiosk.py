#!/usr/bin/python3
"""The installed kiosk package, run as kiosk.service runs it, under a test supervisor in
systemd's place (the test machine's init is not systemd).

The supervisor reads the installed unit and does what systemd does with it: the unit's own
start command as its user, in its working directory, with a notify socket and the watchdog
(WatchdogSec), waiting for READY=1, killing the whole session when the watchdog is not fed,
and starting it again after RestartSec. Only the X server differs: Xvfb instead of the
panel's Xorg on tty7 (KIOSK_X_SERVER, which the session script reads for this).

It checks that the kiosk reaches its home screen (ready, and 取号 read back from the screen
by OCR), that a crash and a hang (the process frozen, so its event loop stops feeding the
watchdog) each put the home screen back within a few seconds and are counted as restarts in
the kiosk's data, and that a stop request ends it cleanly, not counted.

Usage: installed_kiosk.py  (as root, with the kiosk package installed)
"""

import ctypes
import os
import pwd
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time

UNIT = "/lib/systemd/system/kiosk.service"
# What the restart may take, from the kill to the home screen: "within a few seconds".
RESTART_LIMIT_S = 10.0
failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures.append(what)


def service_section(path):
    """The unit's [Service] settings (a later line of a key wins, as in systemd)."""
    settings, section = {}, None
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if line.startswith("["):
            section = line
        elif section == "[Service]" and "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            settings[key.strip()] = value.strip()
    return settings


def seconds(value):
    match = re.fullmatch(r"(\d+)(s|min)?", value)
    return int(match.group(1)) * (60 if match.group(2) == "min" else 1)


def descendants(pid):
    """pid and every process under it (systemd would kill the unit's whole cgroup)."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = open(f"/proc/{entry}/stat").read()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo.extend(children.get(p, []))
    return found


def signal_all(pids, sig):
    for p in pids:
        try:
            os.kill(p, sig)
        except ProcessLookupError:
            pass


def alive(pid):
    """Whether pid still runs (a zombie has ended: only its parent's wait is left)."""
    try:
        return open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def free_display():
    n = 90
    while os.path.exists(f"/tmp/.X{n}-lock"):
        n += 1
    return f":{n}"


def reap_orphans():
    """Waits for the session's orphans that ended (they are the supervisor's children)."""
    while True:
        try:
            if os.waitpid(-1, os.WNOHANG)[0] == 0:
                return
        except ChildProcessError:
            return


class Supervisor:
    """systemd's part for one Type=notify service with a watchdog and Restart=always."""

    def __init__(self, unit):
        # Orphans of the session become the supervisor's children, not init's.
        PR_SET_CHILD_SUBREAPER = 36
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
        self.unit = service_section(unit)
        self.user = pwd.getpwnam(self.unit["User"])
        self.watchdog_s = seconds(self.unit["WatchdogSec"])
        self.restart_s = seconds(self.unit["RestartSec"])
        self.folder = tempfile.mkdtemp(prefix="kiosk-supervisor.")
        os.chmod(self.folder, 0o755)
        self.socket_path = os.path.join(self.folder, "notify")
        self.socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.socket.bind(self.socket_path)
        os.chmod(self.socket_path, 0o777)
        self.runtime_dir = os.path.join(self.folder, "runtime")
        os.mkdir(self.runtime_dir, 0o700)
        os.chown(self.runtime_dir, self.user.pw_uid, self.user.pw_gid)
        self.display = free_display()
        # StateDirectory=: systemd makes /var/lib/NAME for the unit's user before starting it.
        if "StateDirectory" in self.unit:
            state = os.path.join("/var/lib", self.unit["StateDirectory"])
            os.makedirs(state, exist_ok=True)
            os.chmod(state, int(self.unit.get("StateDirectoryMode", "0755"), 8))
            os.chown(state, self.user.pw_uid, self.user.pw_gid)
        self.process = None
        self.watchdog_kills = 0

    def start(self):
        env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": self.user.pw_dir,
            "USER": self.user.pw_name,
            "LOGNAME": self.user.pw_name,
            "LANG": "C.UTF-8",
            "XDG_RUNTIME_DIR": self.runtime_dir,
            "NOTIFY_SOCKET": self.socket_path,
            "WATCHDOG_USEC": str(self.watchdog_s * 1_000_000),
            "KIOSK_X_SERVER": "/usr/bin/Xvfb -screen 0 1920x1080x24",
            "KIOSK_DISPLAY": self.display,
        }
        user = self.user

        def as_the_unit_user():
            os.setsid()
            os.initgroups(user.pw_name, user.pw_gid)
            os.setgid(user.pw_gid)
            os.setuid(user.pw_uid)

        # WATCHDOG_PID is the main process's own pid, as systemd gives it.
        command = ["/bin/sh", "-c", 'WATCHDOG_PID=$$; export WATCHDOG_PID; exec "$0" "$@"']
        command += self.unit["ExecStart"].split()
        self.log = open(os.path.join(self.folder, "session.log"), "ab")
        self.process = subprocess.Popen(
            command,
            env=env,
            cwd=self.unit.get("WorkingDirectory", "/"),
            preexec_fn=as_the_unit_user,
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=self.log,
        )

    def messages(self, for_s):
        """The notify lines that arrive within `for_s` seconds."""
        deadline = time.monotonic() + for_s
        while (left := deadline - time.monotonic()) > 0:
            self.socket.settimeout(left)
            try:
                data = self.socket.recv(4096)
            except socket.timeout:
                return
            yield from data.decode().split("\n")

    def wait_ready(self, timeout=90.0):
        """Seconds until READY=1, or None."""
        began = time.monotonic()
        while time.monotonic() - began < timeout and self.process.poll() is None:
            if "READY=1" in self.messages(0.5):
                return time.monotonic() - began
        return None

    def watch(self, for_s):
        """Lets the service run for `for_s` seconds as systemd would: a watchdog left unfed
        for WatchdogSec kills the session (SIGABRT, then SIGKILL), and an ended session is
        started again after RestartSec. Returns when for_s has passed or a new start is
        ready, with the time of the restart's cause."""
        deadline = time.monotonic() + for_s
        fed = time.monotonic()
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                ended = time.monotonic()
                self.stop(signal.SIGTERM, grace=0)
                time.sleep(self.restart_s)
                self.start()
                return ("exited", ended)
            for line in self.messages(0.2):
                if line == "WATCHDOG=1":
                    fed = time.monotonic()
            if time.monotonic() - fed > self.watchdog_s:
                self.watchdog_kills += 1
                killed = time.monotonic()
                self.stop(signal.SIGABRT)
                time.sleep(self.restart_s)
                self.start()
                return ("watchdog", killed)
        return None

    def stop(self, sig=signal.SIGTERM, grace=10.0):
        """Ends the session as systemd does: the signal (and SIGCONT, so a frozen process
        takes it) to every process of it, then SIGKILL to whatever is left."""
        pids = self.session_pids()
        signal_all(pids, sig)
        signal_all(pids, signal.SIGCONT)
        try:
            self.process.wait(grace)
            graceful = not any(alive(p) for p in pids)
        except subprocess.TimeoutExpired:
            graceful = False
        pids += self.session_pids()
        signal_all(pids, signal.SIGKILL)
        self.process.wait()
        # Like systemd, start again only once every process of the old session is gone and
        # waited for (an X server still dying, or a zombie, holds the display's lock).
        deadline = time.monotonic() + 30
        while any(os.path.exists(f"/proc/{p}") for p in pids) and time.monotonic() < deadline:
            reap_orphans()
            time.sleep(0.05)
        return graceful

    def session_pids(self):
        """Every process the session started, however deep: the supervisor is their
        subreaper, as systemd's cgroup holds them all."""
        return [p for p in descendants(os.getpid()) if p != os.getpid()]

    def kiosk_pid(self):
        for pid in self.session_pids():
            try:
                if os.readlink(f"/proc/{pid}/exe") == "/usr/bin/kiosk":
                    return pid
            except OSError:
                pass
        return None


def home_screen_shown(display):
    """取号 (take a number), the home screen's first tile, read back from the screen."""
    shot = tempfile.mktemp(suffix=".png")
    for _ in range(10):
        subprocess.run(["import", "-display", display, "-window", "root", shot], check=False)
        text = subprocess.run(["tesseract", shot, "-", "-l", "chi_sim"], capture_output=True, text=True).stdout
        if "取号" in re.sub(r"\s", "", text):
            return True
        time.sleep(1)
    return False


def never_blanks(display):
    settings = subprocess.run(["xset", "-display", display, "q"], capture_output=True, text=True).stdout
    # Xvfb has no DPMS at all; Xorg's must be off.
    no_dpms = "DPMS is Disabled" in settings or "does not have the DPMS Extension" in settings
    return re.search(r"timeout:\s+0\b", settings) is not None and no_dpms


def restarts(data_dir):
    try:
        return int(open(os.path.join(data_dir, "restarts")).read())
    except (OSError, ValueError):
        return 0


def main():
    supervisor = Supervisor(UNIT)
    data_dir = supervisor.unit.get("WorkingDirectory", "/var/lib/kiosk")
    supervisor.start()
    ready = supervisor.wait_ready()
    before = restarts(data_dir)
    check(ready is not None, f"the installed kiosk is ready under the unit's start command ({ready or 0:.1f} s)")
    check(home_screen_shown(supervisor.display), "its home screen is on the display (取号 read by OCR)")
    check(supervisor.kiosk_pid() is not None, "the kiosk runs as a child of the session (xinit, no window manager)")
    check(never_blanks(supervisor.display), "the session's screen never blanks (no screen saver, no DPMS)")
    owner = os.stat(f"/proc/{supervisor.kiosk_pid() or 1}").st_uid
    check(owner == supervisor.user.pw_uid, f"it runs as the unprivileged {supervisor.user.pw_name} user")

    # A crash: the kiosk aborts (as on a panic; Rust's own handler survives a SIGSEGV sent
    # by kill, which is no real fault).
    os.kill(supervisor.kiosk_pid(), signal.SIGABRT)
    cause = supervisor.watch(30)
    ready = supervisor.wait_ready()
    back = cause and ready is not None and time.monotonic() - cause[1]
    check(cause is not None and cause[0] == "exited", "a crash ends the session")
    check(bool(back) and back <= RESTART_LIMIT_S, f"the home screen is back {back or 0:.1f} s after the crash")
    check(home_screen_shown(supervisor.display), "and it is the home screen")
    check(restarts(data_dir) == before + 1, "the crash is counted as a restart")

    # A hang: frozen, the kiosk stops feeding the watchdog from its event loop.
    supervisor.watch(supervisor.watchdog_s * 0.5)
    check(supervisor.watchdog_kills == 0, "a kiosk at rest feeds its watchdog")
    os.kill(supervisor.kiosk_pid(), signal.SIGSTOP)
    cause = supervisor.watch(supervisor.watchdog_s * 3)
    ready = supervisor.wait_ready()
    back = cause and ready is not None and time.monotonic() - cause[1]
    check(cause is not None and cause[0] == "watchdog", f"a hang is killed by the watchdog ({supervisor.watchdog_s} s)")
    check(bool(back) and back <= RESTART_LIMIT_S, f"the home screen is back {back or 0:.1f} s after the hung kiosk was killed")
    check(home_screen_shown(supervisor.display), "and it is the home screen")
    check(restarts(data_dir) == before + 2, "the hang is counted as a restart")

    # A stop request: the kiosk ends its event loop and is not counted.
    check(supervisor.stop(signal.SIGTERM), "a stop request ends the whole session in time")
    supervisor.start()
    check(supervisor.wait_ready() is not None, "and it starts again")
    check(restarts(data_dir) == before + 2, "a stop is not a restart")
    supervisor.stop(signal.SIGTERM)

    print(f"{len(failures) == 0 and 'PASS' or 'FAIL'}: installed kiosk, {len(failures)} failure(s)")
    if failures:
        print(open(os.path.join(supervisor.folder, "session.log"), errors="replace").read()[-4000:])
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
