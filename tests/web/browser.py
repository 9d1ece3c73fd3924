"""Headless Chromium (Debian's chromium + chromium-driver) driven through selenium
(python3-selenium) against the router's web page: shared by the netns test
(tests/netns/test_web_page.sh), `make screenshots` and bench/web.sh.

Runs inside the client's network namespace; the router is at the URL given. Chromium
runs as root there, so without its sandbox, with a throw-away profile."""
import os
import time

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

WAIT_S = 30  # a loaded 2-vCPU machine: Chromium alone can take seconds


def start(profile, downloads=None, width=1280, height=900, mobile=False):
    o = webdriver.ChromeOptions()
    o.binary_location = "/usr/bin/chromium"
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--no-first-run", "--disable-background-networking", "--disable-sync",
              "--disable-component-update", "--disable-default-apps",
              "--user-data-dir=" + profile, "--window-size=%d,%d" % (width, height)):
        o.add_argument(a)
    if mobile:
        o.add_experimental_option("mobileEmulation", {
            "deviceMetrics": {"width": 390, "height": 844, "pixelRatio": 2.0}})
    service = webdriver.ChromeService("/usr/bin/chromedriver") if hasattr(webdriver, "ChromeService") \
        else webdriver.chrome.service.Service("/usr/bin/chromedriver")
    d = webdriver.Chrome(service=service, options=o)
    if downloads:
        d.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": downloads})
    return d


def wait(d, cond, t=WAIT_S):
    """Until cond(d) is true; an element the page's poll replaced meanwhile (a row is
    rebuilt when its text changes) only means: look again."""
    return WebDriverWait(d, t, poll_frequency=0.05,
                         ignored_exceptions=(StaleElementReferenceException,)).until(cond)


def click(d, find):
    """Clicks what find(d) returns, finding it again if a poll replaced it."""
    def go(d):
        find(d).click()
        return True
    wait(d, go)


def css(d, sel):
    return d.find_elements(By.CSS_SELECTOR, sel)


def login(d, base, user, password):
    d.get(base + "/")
    wait(d, EC.visibility_of_element_located((By.ID, "login-user")))
    d.find_element(By.ID, "login-user").send_keys(user)
    d.find_element(By.ID, "login-password").send_keys(password)
    d.find_element(By.ID, "login-submit").click()


def wait_peers(d, n=1):
    """Until at least n peer rows are in the table."""
    wait(d, lambda d: len(css(d, "table.peers tbody tr")) >= n)


def logout(d):
    d.find_element(By.ID, "logout").click()
    wait(d, EC.visibility_of_element_located((By.ID, "login-user")))


def foreign_requests(d, base):
    """Every resource the page loaded from anywhere but the router."""
    names = d.execute_script("return performance.getEntriesByType('resource').map(e => e.name)"
                             ".concat([location.href])")
    return [n for n in names if not n.startswith(base + "/")]


def wait_file(directory, suffix, t=WAIT_S):
    end = time.time() + t
    while time.time() < end:
        done = [f for f in os.listdir(directory) if f.endswith(suffix)]
        if done:
            return os.path.join(directory, done[0])
        time.sleep(0.1)
    return None
