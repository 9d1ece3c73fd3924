"""The web page's acceptance in a real browser (run by tests/netns/test_web_page.sh
inside the client namespace): prints PASS/FAIL lines, one per case.

usage: acceptance.py TESTNAME BASE_URL ADMIN:PASS VIEWER:PASS IFACE ENDPOINT WORKDIR SECRET
SECRET is a private key the viewer must never see in the page."""
import os
import sys
import traceback

from selenium.webdriver.common.by import By

import browser as B

test, base, admin, viewer, iface, endpoint, work, secret = sys.argv[1:9]
failed = 0


def case(name, fn):
    global failed
    try:
        ok = fn()
    except Exception as e:  # a timeout or a missing element: the case fails, the rest run
        ok = False
        print("  " + "".join(traceback.format_exception_only(type(e), e)).strip()[:300], file=sys.stderr)
    print(("PASS " if ok else "FAIL ") + test + ":" + name, flush=True)
    failed += not ok


downloads = os.path.join(work, "downloads")
os.makedirs(downloads, exist_ok=True)
d = B.start(os.path.join(work, "profile"), downloads)
try:
    user, pw = admin.split(":", 1)

    def wrong_password():
        B.login(d, base, user, pw + "x")
        B.wait(d, lambda d: "Wrong" in d.find_element(By.ID, "login-error").text)
        return not d.find_element(By.ID, "login").get_attribute("hidden")
    case("wrong_password_refused", wrong_password)

    def sees_peers():
        B.login(d, base, user, pw)
        B.wait_peers(d, 2)
        names = [e.text for e in B.css(d, "table.peers td.name")]
        return any("alice" in n for n in names) and any("bob" in n for n in names)
    case("admin_sees_peers", sees_peers)

    def add_peer():
        sec = d.find_element(By.CSS_SELECTOR, 'section.iface[data-iface="%s"]' % iface)
        sec.find_element(By.CSS_SELECTOR, 'button[data-act="add"]').click()
        addr = B.wait(d, lambda d: d.find_element(By.CSS_SELECTOR, '#dlg-body [name="allowed-address"]'))
        got = addr.get_attribute("value")
        d.find_element(By.CSS_SELECTOR, '#dlg-body [name="name"]').send_keys("carol")
        d.find_element(By.CSS_SELECTOR, '#dlg-body [name="client-endpoint"]').send_keys(endpoint)
        d.find_element(By.ID, "dlg-save").click()
        B.wait(d, lambda d: B.css(d, "#dlg-body svg.qr"))
        print("  automatic address " + got, file=sys.stderr)
        return got == "10.9.0.4/32"  # .1 the router, .2 alice, .3 bob
    case("add_peer_automatic_address", add_peer)

    def qr_drawn():
        # a version 40 QR code at most; every one at least 21 modules (+ quiet zone)
        w = d.execute_script("return document.querySelector('#dlg-body svg.qr').viewBox.baseVal.width")
        return w >= 25 and "PrivateKey" in d.find_element(By.CSS_SELECTOR, "#dlg-body pre").text
    case("config_qr_code_drawn", qr_drawn)

    def download():
        d.find_element(By.ID, "dlg-download").click()
        f = B.wait_file(downloads, ".conf")
        if not f:
            return False
        os.rename(f, os.path.join(work, "client.conf"))
        return "Endpoint = " + endpoint in open(os.path.join(work, "client.conf")).read()
    case("config_downloaded", download)

    def new_row():
        d.find_element(By.ID, "dlg-close").click()
        B.wait_peers(d, 3)
        return any("carol" in e.text for e in B.css(d, "table.peers td.name"))
    case("new_peer_listed", new_row)

    def row(name):
        rows = [r for r in B.css(d, "tr[data-id]") if r.find_element(By.CSS_SELECTOR, "td.name").text.split("\n")[0] == name]
        return rows[0] if rows else None

    def chart():
        B.click(d, lambda d: row("bob").find_element(By.CSS_SELECTOR, 'button[data-act="chart"]'))
        B.wait(d, lambda d: B.css(d, "#dlg-body svg.chart") or
               any("no history" in e.text for e in B.css(d, "#dlg-body .plot .empty")))
        d.find_element(By.ID, "dlg-close").click()
        return True
    case("traffic_chart_or_no_history", chart)

    def switch_off():
        B.click(d, lambda d: row("bob").find_element(By.CSS_SELECTOR, "input.switch"))
        B.wait(d, lambda d: "off" in row("bob").get_attribute("class").split())
        return B.wait(d, lambda d: not row("bob").find_element(By.CSS_SELECTOR, "input.switch").is_selected())
    case("enabled_switch_disables_peer", switch_off)

    def edit():
        B.click(d, lambda d: row("bob").find_element(By.CSS_SELECTOR, 'button[data-act="edit"]'))
        box = B.wait(d, lambda d: d.find_element(By.CSS_SELECTOR, '#dlg-body [name="comment"]'))
        box.send_keys("edited in the browser")
        d.find_element(By.ID, "dlg-save").click()
        B.wait(d, lambda d: "edited in the browser" in row("bob").text)
        return True
    case("edit_peer_comment", edit)

    def remove():
        B.click(d, lambda d: row("bob").find_element(By.CSS_SELECTOR, 'button[data-act="remove"]'))
        B.wait(d, lambda d: d.find_element(By.ID, "dlg-remove")).click()
        B.wait(d, lambda d: row("bob") is None)
        return len(B.css(d, "tr[data-id]")) == 2
    case("remove_peer", remove)

    def only_router():
        bad = B.foreign_requests(d, base)
        print("  foreign: %s" % bad, file=sys.stderr) if bad else None
        return not bad
    case("no_request_leaves_router", only_router)

    def viewer_no_buttons():
        B.logout(d)
        u, p = viewer.split(":", 1)
        B.login(d, base, u, p)
        B.wait_peers(d, 2)
        acts = [b.get_attribute("data-act") for b in B.css(d, "button[data-act]")]
        switches = B.css(d, "input.switch")
        print("  viewer buttons: %s" % sorted(set(acts)), file=sys.stderr)
        return (not set(acts) - {"chart", "ichart"} and switches and
                all(not s.is_enabled() for s in switches))
    case("read_only_user_sees_no_buttons", viewer_no_buttons)

    def viewer_no_keys():
        return secret not in d.page_source
    case("read_only_user_sees_no_keys", viewer_no_keys)

    def log_view():
        d.find_element(By.CSS_SELECTOR, 'button[data-view="log"]').click()
        B.wait(d, lambda d: any("logged in" in e.text for e in B.css(d, "#log tbody td")))
        return True
    case("log_shown", log_view)
finally:
    d.quit()
sys.exit(1 if failed else 0)
