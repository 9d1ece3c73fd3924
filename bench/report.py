#!/usr/bin/env python3
"""Helpers of bench/run.sh (standard library only).

  report.py iperf FILE.json     -> "k=v ..." from an iperf3 -J result (TCP or UDP)
  report.py ping FILE           -> "avg_us=.. p50_us=.. p90_us=.. p99_us=.. n=.." from ping's output
  report.py table RESULTS.tsv   -> the markdown table (rows: metrics, columns: setups)
  report.py latency RESULTS.tsv -> latency.sh's table (rows: setups) and the ratio row

RESULTS.tsv lines are "setup<TAB>metric<TAB>value"; a missing value prints as "-".
"""
import json
import re
import sys

SETUPS = [
    ("veth", "plain veth"),
    ("wggo", "wireguard-go ↔ wireguard-go"),
    ("wgr", "wgrouter ↔ wgrouter"),
    ("wgr_wggo", "wgrouter → wireguard-go"),
    ("wggo_wgr", "wireguard-go → wgrouter"),
]

# (metric, label, format, ratios?) ratios: "up" = higher is better, "down" = lower is better
METRICS = [
    ("tcp1", "TCP, 1 stream (Gbit/s)", "{:.2f}", True),
    ("tcp1_retr", "  retransmits", "{:.0f}", False),
    ("tcp4", "TCP, 4 streams (Gbit/s)", "{:.2f}", True),
    ("tcp4_retr", "  retransmits", "{:.0f}", False),
    ("udpbig_kpps", "UDP, 1392-byte payload: received (kpps)", "{:.1f}", True),
    ("udpbig_gbps", "  received (Gbit/s of payload)", "{:.2f}", False),
    ("udpbig_loss", "  lost (%)", "{:.1f}", False),
    ("udpsmall_kpps", "UDP, 64-byte payload: received (kpps)", "{:.1f}", True),
    ("udpsmall_loss", "  lost (%)", "{:.1f}", False),
    ("cpu_a", "CPU, sending endpoint, 1 TCP stream (% of a core)", "{:.0f}", False),
    ("cpu_b", "CPU, receiving endpoint, 1 TCP stream (% of a core)", "{:.0f}", False),
    ("cpu_gb", "CPU-seconds per GB, both endpoints", "{:.2f}", True),
    ("ping_avg", "ping through the tunnel, average (us)", "{:.0f}", False),
    ("ping_p50", "ping through the tunnel, median (us)", "{:.0f}", False),
    ("ping_p99", "ping through the tunnel, 99th percentile (us)", "{:.0f}", False),
]


def iperf(path):
    with open(path) as f:
        d = json.load(f)
    if "error" in d:
        print("error=" + d["error"].replace(" ", "_"))
        return
    end = d["end"]
    if "sum_received" in end and "retransmits" in end.get("sum_sent", {}):  # TCP
        s, r = end["sum_sent"], end["sum_received"]
        print("bps=%d bytes=%d retr=%d seconds=%.3f" % (r["bits_per_second"], r["bytes"],
                                                        s.get("retransmits", 0), r["seconds"]))
        return
    s = end["sum"]  # UDP, as seen by the client with the server's loss count
    secs = s["seconds"] or 1
    got = s["packets"] - s["lost_packets"]
    size = d["start"]["test_start"].get("blksize", 0)
    print("sent=%d received=%d lost_pct=%.2f pps=%.0f payload_bps=%.0f seconds=%.3f" % (
        s["packets"], got, s["lost_percent"], got / secs, got * size * 8 / secs, secs))


def ping(path):
    t = []
    with open(path) as f:
        for line in f:
            m = re.search(r"time=([0-9.]+) ms", line)
            if m:
                t.append(float(m.group(1)) * 1000)
    if not t:
        print("n=0")
        return
    t.sort()
    pct = lambda p: t[min(len(t) - 1, int(p * len(t)))]
    print("n=%d avg_us=%.1f p50_us=%.1f p90_us=%.1f p99_us=%.1f" % (
        len(t), sum(t) / len(t), pct(0.5), pct(0.9), pct(0.99)))


def load(path):
    res = {}
    with open(path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) == 3 and parts[2] not in ("", "-"):
                try:
                    res[(parts[0], parts[1])] = float(parts[2])
                except ValueError:
                    pass
    return res


def table(path):
    res = load(path)
    setups = [s for s in SETUPS if any(k[0] == s[0] for k in res)] or SETUPS

    def cell(fmt, v):
        return "-" if v is None else fmt.format(v)

    out = ["| | " + " | ".join(name for _, name in setups) + " |",
           "|---" * (len(setups) + 1) + "|"]
    for key, label, fmt, ratios in METRICS:
        vals = [res.get((s, key)) for s, _ in setups]
        if all(v is None for v in vals):
            continue
        out.append("| %s | %s |" % (label, " | ".join(cell(fmt, v) for v in vals)))
        if not ratios:
            continue
        for ref, name in (("wggo", "wireguard-go"), ("veth", "plain veth")):
            r = res.get((ref, key))
            if not r:
                continue
            cells = [cell("{:.2f}x", v / r if v is not None else None) for v in vals]
            out.append("| &nbsp;&nbsp;× %s | %s |" % (name, " | ".join(cells)))
    # latency against plain veth
    base = {k: res.get(("veth", k)) for k in ("ping_avg", "ping_p50")}
    for k, label in (("ping_p50", "median"), ("ping_avg", "average")):
        if base[k] is None:
            continue
        vals = [res.get((s, k)) for s, _ in setups]
        out.append("| &nbsp;&nbsp;%s over plain veth (us) | %s |" % (
            label, " | ".join(cell("{:+.0f}", v - base[k] if v is not None else None) for v in vals)))
    print("\n".join(out))


LATENCY = [("ping_p50", "{:.0f}"), ("ping_p90", "{:.0f}"), ("ping_p99", "{:.0f}"),
           ("ping_n", "{:.0f}"), ("busy_a", "{:.1f}"), ("busy_b", "{:.1f}"), ("idle_a", "{:.2f}"),
           ("idle_b", "{:.2f}")]
TARGET = 0.5  # issue 17: wgrouter's round trip <= 0.5x wireguard-go 2023's


def latency(path):
    res = load(path)
    cell = lambda fmt, v: "-" if v is None else fmt.format(v)
    out = ["| | ping median (us) | p90 (us) | p99 (us) | replies | CPU during the pings, end a"
           " (% of a core) | end b | idle CPU, end a | end b |", "|---" * 9 + "|"]
    for s, name in SETUPS[:3]:
        if any((s, k) in res for k, _ in LATENCY):
            out.append("| %s | %s |" % (name, " | ".join(cell(f, res.get((s, k))) for k, f in LATENCY)))
    ratios = []
    for k, _ in LATENCY[:3]:
        a, b = res.get(("wgr", k)), res.get(("wggo", k))
        ratios.append(cell("{:.2f}x", a / b if a is not None and b else None))
    verdict = "met" if all(c != "-" and float(c[:-1]) <= TARGET for c in ratios) else "not met"
    out.append("| wgrouter ÷ wireguard-go (target <= %.1fx: %s) | %s | | | | | |" % (
        TARGET, verdict, " | ".join(ratios)))
    print("\n".join(out))


def main():
    cmds = {"iperf": iperf, "ping": ping, "table": table, "latency": latency}
    if len(sys.argv) != 3 or sys.argv[1] not in cmds:
        sys.exit(__doc__)
    try:
        cmds[sys.argv[1]](sys.argv[2])
    except (OSError, ValueError, KeyError, TypeError) as e:
        print("error=%s" % type(e).__name__)


if __name__ == "__main__":
    main()
