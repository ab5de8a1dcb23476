"""A throw-away dovecot IMAP server for the tests: its own config, state and maildir under a temporary directory,
passwd-file authentication, plain IMAP on a free localhost port; stopped (and everything deleted) afterwards."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
PASSWORD = "Thu-tu-2026"


@dataclass
class Dovecot:
    root: Path
    port: int
    user: str
    password: str
    process: subprocess.Popen

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)


def available() -> str:
    """An empty string when dovecot can run here, else why not."""
    if not os.path.exists(DOVECOT):
        return "dovecot is not installed (scripts/ensure-system-packages installs dovecot-imapd, dovecot-core)"
    return ""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(user: str = "so-noi-vu") -> Dovecot:
    root = Path(tempfile.mkdtemp(prefix="dovecot-test-"))
    os.chmod(root, 0o755)
    port = _free_port()
    if os.getuid() == 0:
        # root runs the master; mail and login processes drop to the unprivileged users the package created
        mail = pwd.getpwnam("dovecot") if _has_user("dovecot") else pwd.getpwnam("nobody")
        login_user = "dovenull" if _has_user("dovenull") else mail.pw_name
        internal_user = mail.pw_name
    else:
        mail = pwd.getpwuid(os.getuid())
        login_user = internal_user = mail.pw_name
    home = root / "home"
    home.mkdir()
    (home / user).mkdir()
    for d in (home, home / user):
        os.chown(d, mail.pw_uid, mail.pw_gid) if os.getuid() == 0 else None
    (root / "passwd").write_text(f"{user}:{{PLAIN}}{PASSWORD}::::::\n")
    conf = root / "dovecot.conf"
    conf.write_text(f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = {login_user}
default_internal_user = {internal_user}
default_internal_group = {pwd.getpwnam(internal_user).pw_name if False else internal_user}
first_valid_uid = {mail.pw_uid}
last_valid_uid = 0
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={mail.pw_uid} gid={mail.pw_gid} home={home}/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
""")
    process = subprocess.Popen([DOVECOT, "-F", "-c", str(conf)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    deadline = time.monotonic() + 15
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                if s.recv(100).startswith(b"* OK"):
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            err = process.stderr.read().decode(errors="replace") if process.stderr else ""
            log = (root / "dovecot.log").read_text(errors="replace") if (root / "dovecot.log").exists() else ""
            process.kill()
            shutil.rmtree(root, ignore_errors=True)
            raise RuntimeError(f"dovecot did not start: {err} {log}")
        time.sleep(0.1)
    return Dovecot(root=root, port=port, user=user, password=PASSWORD, process=process)


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True
