"""The audit's HTML page as a PDF an auditor can be handed, printed by Debian's Chromium (headless,
offline, as an unprivileged user when muronet runs as root). Chromium lays the page out exactly
as the browser shows it (Japanese fonts, tables), which no HTML-to-PDF library here does."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

CHROMIUM = "chromium"
UNPRIVILEGED = "nobody"  # who prints when muronet runs as root
PRINT_SECONDS = 120


class PdfError(Exception):
    """The PDF could not be printed (no Chromium, or Chromium failed)."""


def print_pdf(html: str, pdf: Path) -> None:
    """Print the page ``html`` (self-contained: no request leaves the machine) to ``pdf``."""
    browser = shutil.which(CHROMIUM)
    if browser is None:
        raise PdfError(f"{pdf.name}: Chromium ({CHROMIUM}) not found: make setup installs it")
    with tempfile.TemporaryDirectory(prefix="muronet-pdf-") as folder:
        work = Path(folder)
        page, printed = work / "report.html", work / "report.pdf"
        page.write_text(html, encoding="utf-8")
        command = [browser, "--headless=new", "--disable-gpu", "--no-sandbox", "--no-first-run",
                   "--disable-background-networking", "--disable-component-update", "--disable-sync",
                   "--disable-default-apps", "--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND",
                   f"--user-data-dir={work / 'profile'}", "--no-pdf-header-footer", f"--print-to-pdf={printed}",
                   page.as_uri()]
        preexec, environment = None, {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": folder}
        if os.geteuid() == 0:  # Chromium reads data from the devices: never as root
            user = pwd.getpwnam(UNPRIVILEGED)
            os.chown(folder, user.pw_uid, user.pw_gid)
            os.chown(page, user.pw_uid, user.pw_gid)

            def preexec() -> None:
                os.setgroups([])
                os.setgid(user.pw_gid)
                os.setuid(user.pw_uid)
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=PRINT_SECONDS, env=environment,
                                  preexec_fn=preexec, stdin=subprocess.DEVNULL, check=False)
        except subprocess.TimeoutExpired:
            raise PdfError(f"{pdf.name}: Chromium did not print within {PRINT_SECONDS} s") from None
        if done.returncode != 0 or not printed.is_file() or printed.stat().st_size == 0:
            reason = done.stderr.strip().splitlines()[-1:] or [f"exit status {done.returncode}"]
            raise PdfError(f"{pdf.name}: Chromium could not print the report: {reason[0]}")
        shutil.copyfile(printed, pdf)
