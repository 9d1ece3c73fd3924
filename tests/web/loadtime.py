"""How long the page takes, in Chromium, from the start of navigation to the peers table
laid out (the page's "peers-rendered" mark). Logged in once; then RUNS reloads with the
credentials in sessionStorage, as a user who comes back to the tab. Checks that the
table shows the first page of the PEERS peers (and the pager all of them). Prints
"PEERS ROWS MEDIAN_MS MIN_MS MAX_MS"; WEB_DETAIL=1 also each run's marks and requests.
usage: loadtime.py BASE_URL USER:PASS WORKDIR PEERS [RUNS]"""
import os
import statistics
import sys

import browser as B

PAGE = 100  # app.js
base, cred, work, peers = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
runs = int(sys.argv[5]) if len(sys.argv) > 5 else 5
rows = min(peers, PAGE)
d = B.start(os.path.join(work, "profile-%d" % peers))
try:
    user, pw = cred.split(":", 1)
    B.login(d, base, user, pw)
    B.wait_peers(d, rows)
    times = []
    for _ in range(runs):
        d.get(base + "/")
        ms = B.wait(d, lambda d: d.execute_script(
            "const m = performance.getEntriesByName('peers-rendered'); return m.length ? m[0].startTime : null"))
        got = len(B.css(d, "table.peers tbody tr"))
        pager = "".join(e.text for e in B.css(d, ".pager"))
        if got != rows or (peers > PAGE and "of %d" % peers not in pager):
            sys.exit("%d rows rendered (%s), %d of %d expected" % (got, pager, rows, peers))
        times.append(ms)
        if os.environ.get("WEB_DETAIL"):
            print(round(ms), d.execute_script(
                "return performance.getEntriesByType('resource').map(e => e.name.replace(/^.*\\//, '') + ' ' +"
                " Math.round(e.startTime) + '-' + Math.round(e.responseEnd)).join(', ')"), file=sys.stderr)
    print(peers, rows, round(statistics.median(times)), round(min(times)), round(max(times)))
finally:
    d.quit()
