"""`make screenshots`: PNGs of the web page's main views (scripts/screenshots.sh sets
up the router). usage: screenshots.py BASE_URL ADMIN:PASS VIEWER:PASS IFACE OUTDIR WORKDIR"""
import os
import sys
import time

from selenium.webdriver.common.by import By

import browser as B

base, admin, viewer, iface, out, work = sys.argv[1:7]
os.makedirs(out, exist_ok=True)


def shot(d, name):
    time.sleep(0.3)  # the last paint of a dialog's contents
    d.save_screenshot(os.path.join(out, name + ".png"))
    print("  " + os.path.join(out, name + ".png"), file=sys.stderr)


def act(d, sel):
    d.find_element(By.CSS_SELECTOR, sel).click()


def dialog_shot(d, button, ready, name):
    """Opens a dialog with the button, waits for what shows it ready, takes it, closes it."""
    act(d, button)
    B.wait(d, lambda d: B.css(d, ready))
    shot(d, name)
    act(d, "#dlg-close")


d = B.start(os.path.join(work, "shots"), width=1280, height=800)
try:
    d.get(base + "/")
    B.wait(d, lambda d: d.find_element(By.ID, "login-user").is_displayed())
    shot(d, "login")
    B.login(d, base, *admin.split(":", 1))
    B.wait_peers(d, 3)
    time.sleep(4.5)  # two polls: live rates
    shot(d, "peers")
    dialog_shot(d, 'section.iface[data-iface="%s"] button[data-act="add"]' % iface, '#dlg-body [name="allowed-address"]', "add-peer")
    dialog_shot(d, 'tr[data-id] button[data-act="config"]', "#dlg-body svg.qr", "client-config")
    dialog_shot(d, 'tr[data-id] button[data-act="chart"]', "#dlg-body svg.chart, #dlg-body .plot .empty", "traffic")
    act(d, 'button[data-view="log"]')
    B.wait(d, lambda d: B.css(d, "#log tbody tr"))
    shot(d, "log")
    B.logout(d)
    B.login(d, base, *viewer.split(":", 1))
    B.wait_peers(d, 3)
    shot(d, "read-only")
finally:
    d.quit()
d = B.start(os.path.join(work, "phone"), width=390, height=844, mobile=True)
try:
    B.login(d, base, *admin.split(":", 1))
    B.wait_peers(d, 3)
    time.sleep(2.5)
    shot(d, "phone")
finally:
    d.quit()
