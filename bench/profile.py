"""Turns bench/profile.sh's perf output into markdown (stdlib only).
  profile.py groups REPORT_A REPORT_B     self time grouped by what it is, per end
  profile.py top REPORT_A REPORT_B N      the N hottest symbols of each end
  profile.py syscalls STAT_A STAT_B GB    system calls per GB moved, per end
REPORT_x: `perf report --no-children --sort dso,sym --stdio -q -g none`;
STAT_x: `perf stat -x,` output."""
import re
import sys

# First match wins: order matters (a checksum inside a copy routine is a copy).
GROUPS = [
    # OpenSSL 3's per-call machinery around the cipher: parameter arrays looked up by
    # name (strcmp), provider dispatch; paid per packet because the data plane re-inits
    # the EVP context with key and nonce for each one (src/crypto/aead.c).
    ("crypto library per-call overhead (EVP, OSSL_PARAM, strcmp)", r"^OSSL_|^EVP_|strcmp|^CRYPTO_|^ERR_|ossl_param|ossl_prov|^evp_"),
    ("crypto", r"chacha|poly1305|aead|blake2|curve25519|x25519|_crypto_|EVP_|ossl_|sodium|gcm|aesni"),
    ("copies, checksums", r"memcpy|memmove|memset|copy_user|copyin|copyout|_copy_to_iter|_copy_from_iter|copy_page|csum|checksum|rep_movs|skb_copy"),
    ("GSO / GRO, offloads", r"gso|gro|segment|tso|vnet|skb_gro|napi_gro|udp_gro"),
    ("thread hand-offs (wake, sleep, switch)", r"futex|schedule|switch_to|switch_mm|finish_task_switch|try_to_wake_up|wake_up|pick_next|enqueue_task|dequeue_task|update_curr|ttwu|select_task_rq|sched_|__x64_sys_poll|do_poll|do_sys_poll|ep_poll|epoll|pollwake|__pollwait|idle|cpuidle"),
    ("locks", r"pthread_mutex|spin_lock|spin_unlock|queued_spin|lll_lock|lll_unlock|__lll_|dp_lock|dp_unlock|mutex_lock|mutex_unlock|rwlock"),
    ("peer lookup (allowed IPs, index, endpoint)", r"allowedips|wg_index|index_find|index_lookup|peer_lookup|lookup_peer|hash|wg_endpoint"),
    ("system call entry and exit", r"entry_SYSCALL|syscall_exit|do_syscall|syscall_return|__x64_sys_|__sys_|exit_to_user|syscall_enter|ret_from|fsnotify|fdget|__fget|security_|apparmor|audit"),
    ("TUN device", r"^tun_|tun_get_user|tun_put_user|tun_chr|tun_net|tun_sendmsg|tun_recvmsg"),
    ("UDP / IP / veth stack", r"udp|^ip_|^__ip|ip_rcv|ip_finish|ip_output|ip_local|ip_route|fib_|net_rx|netif|__netif|dev_queue|dev_hard|veth|nf_|nft_|skb|sock_|__sk|sk_|tcp|inet_|dst_|neigh|__dev|process_backlog|do_softirq|__do_softirq|handle_softirq|raw_|alloc_pages|kmem_cache|kmalloc|kfree|__alloc|free_"),
]
RX = [(name, re.compile(p)) for name, p in GROUPS]
LINE = re.compile(r"^\s*([\d.]+)%\s+(\S+)\s+\[(.)\]\s+(.+?)\s*$")


def parse(path):
    rows = []
    for line in open(path, errors="replace"):
        m = LINE.match(line)
        if m:
            rows.append((float(m.group(1)), m.group(2), m.group(3), m.group(4)))
    return rows


def group_of(dso, sym):
    for name, rx in RX:
        if rx.search(sym):
            return name
    if "libcrypto" in dso or "libsodium" in dso:
        return "crypto"
    return "other (wgrouter's own code, unresolved)" if dso.startswith("wgrouter") or sym.startswith("0x") else "other"


def groups(a, b):
    ra, rb = parse(a), parse(b)
    names = [n for n, _ in GROUPS] + ["other (wgrouter's own code, unresolved)", "other"]
    sa = {n: 0.0 for n in names}
    sb = dict(sa)
    ka = {"kernel": 0.0, "user": 0.0}
    kb = dict(ka)
    for rows, s, k in ((ra, sa, ka), (rb, sb, kb)):
        for pct, dso, kind, sym in rows:
            s[group_of(dso, sym)] += pct
            k["kernel" if kind == "k" else "user"] += pct
    print("## Self time by group (share of each end's samples)")
    print()
    print("| group | a (sender) | b (receiver) |")
    print("|---|---|---|")
    for n in names:
        if sa[n] >= 0.05 or sb[n] >= 0.05:
            print("| %s | %.1f%% | %.1f%% |" % (n, sa[n], sb[n]))
    print("| *in the kernel / in userspace* | %.0f%% / %.0f%% | %.0f%% / %.0f%% |"
          % (ka["kernel"], ka["user"], kb["kernel"], kb["user"]))
    print()
    print("Groups are made by symbol name (bench/profile.py, first match wins). Self time:"
          " the function the sample landed in, not its callers. Unresolved addresses in"
          " libcrypto are its ChaCha20-Poly1305 assembly (the library is stripped).")


def merged(path):
    """Unresolved addresses of one library (stripped libcrypto's assembly) as one row."""
    acc = {}
    for pct, dso, kind, sym in parse(path):
        key = (dso, "(unresolved addresses)" if sym.startswith("0x") else sym)
        acc[key] = acc.get(key, 0.0) + pct
    return sorted(((p, d, s) for (d, s), p in acc.items()), reverse=True)


def top(a, b, n):
    print("## Hottest symbols")
    for label, path in (("a (sender)", a), ("b (receiver)", b)):
        print()
        print("### %s" % label)
        print()
        print("| self | where | symbol | group |")
        print("|---|---|---|---|")
        for pct, dso, sym in merged(path)[:n]:
            print("| %.2f%% | %s | `%s` | %s |" % (pct, dso, sym[:60], group_of(dso, sym)))


def stat(path):
    counts = {}
    for line in open(path, errors="replace"):
        f = line.strip().split(",")
        if len(f) >= 3 and f[0].replace(".", "").isdigit():
            counts[f[2]] = float(f[0])
    return counts


def syscalls(a, b, gb):
    gb = float(gb) or 1e-9
    ca, cb = stat(a), stat(b)
    print("## System calls per GB moved (perf stat, %.2f GB in the run)" % gb)
    print()
    print("| call | a (sender) per GB | b (receiver) per GB |")
    print("|---|---|---|")
    keys = sorted(set(ca) | set(cb), key=lambda k: -(ca.get(k, 0) + cb.get(k, 0)))
    for k in keys:
        if ca.get(k, 0) or cb.get(k, 0):
            name = "all system calls" if k == "raw_syscalls:sys_enter" else k.replace("syscalls:sys_enter_", "")
            print("| %s | %.0f | %.0f |" % (name, ca.get(k, 0) / gb, cb.get(k, 0) / gb))
    print()
    print("1 GB is ~740,000 packets of 1,352 bytes of TCP payload (MTU 1420).")


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "groups":
        groups(sys.argv[2], sys.argv[3])
    elif cmd == "top":
        top(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif cmd == "syscalls":
        syscalls(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit(__doc__)
