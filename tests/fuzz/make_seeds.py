#!/usr/bin/env python3
"""Writes the seed corpora of the binary-input harnesses (fuzz_datagram, fuzz_dns,
fuzz_nft) into tests/fuzz/corpus/<name>/. The text harnesses' seeds (console, wgconf)
are plain files written by hand. Run it again after changing an input format; the
committed files are what make check uses."""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def write(corpus, name, data):
    d = os.path.join(HERE, 'corpus', corpus)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), 'wb') as f:
        f.write(bytes(data))


# ---- fuzz_datagram: a configuration byte, then operations (see fuzz_datagram.c) ----
A, B = 0, 8                      # node bit of an operation byte


def initiate(node):
    return [0 | node]


def send(node, size_q=20, fill=0x55, payload=b'', v6=False, batch=False):
    op = 1 | node | (0x10 if v6 else 0) | (0x20 if batch else 0)
    return [op, size_q, fill, len(payload)] + list(payload) + [0]


def deliver(idx=0, mode=3, off=0, data=b''):
    """mode bits: 0-1 mutation (0 xor, 1 overwrite, 2 cut/extend, 3 none), 2 keep MAC1,
    3 spoofed source, 6 spoofed over IPv6, 7 through the batch API"""
    return [2, idx, mode, off, len(data)] + list(data)


def drop(idx=0):
    return [3, idx]


def dup(idx=0):
    return [4, idx]


def advance(seconds):
    # a * 2^20 us ~ a seconds
    return [5, seconds, 20]


def load(node, queued=32):
    return [6 | node, queued]


def forge(to, msgtype, body, spoof=False, batch=False, extra=0):
    op = 7 | to | (msgtype << 4) | (0x40 if spoof else 0) | (0x80 if batch else 0)
    out = [op]
    if msgtype == 3:
        out.append(extra)
    return out + list(body)


HANDSHAKE = initiate(A) + deliver() + deliver() + deliver()


def datagram_seeds():
    s = {}
    s['handshake_data'] = [0] + HANDSHAKE + send(A) + deliver() + send(B) + deliver()
    s['v6_psk_mtu_batch'] = ([0x0f] + initiate(B) + deliver(mode=0x83) + deliver(mode=0x83) +
                             deliver(mode=0x83) + send(A, 50, v6=True, batch=True) +
                             deliver(mode=0x83) + send(B, 70, batch=True) + deliver(mode=0x83))
    s['staged_then_handshake'] = [2] + send(A) + send(A, 30) + deliver() + deliver() + deliver() + deliver()
    s['cookie_under_load'] = ([0] + load(B) + initiate(A) + deliver() + deliver() + advance(6) +
                              deliver() + deliver() + deliver() + load(B, 0))
    s['mutated_initiation'] = [0] + initiate(A) + deliver(mode=0, off=40, data=b'\x01\x80')
    s['mutated_response'] = [0] + initiate(A) + deliver() + deliver(mode=1, off=12, data=b'\xff' * 4)
    s['bad_mac1'] = [0] + initiate(A) + deliver(mode=4 | 0, off=120, data=b'\x01')
    s['cut_and_extended'] = ([0] + HANDSHAKE + send(A) + deliver(mode=2, off=0x80 | 40) +
                             send(A) + deliver(mode=2, off=0, data=b'\x00' * 8))
    s['replayed_data'] = [0] + HANDSHAKE + send(A) + dup() + deliver() + deliver()
    s['replayed_initiation'] = [0] + initiate(A) + dup() + deliver() + deliver() + deliver(idx=1)
    s['spoofed_roaming'] = ([0] + HANDSHAKE + send(A) + deliver(mode=3 | 8) + send(B) + deliver() +
                            send(A) + deliver(mode=3 | 8 | 0x40))
    s['lost_initiation_retry'] = [0] + initiate(A) + drop() + advance(6) + deliver() + deliver() + deliver()
    s['rekey_after_time'] = ([0] + HANDSHAKE + send(A) + deliver() + advance(121) + send(A) +
                             deliver() + deliver() + deliver() + deliver())
    s['expired_session'] = [0] + HANDSHAKE + advance(200) + send(A) + deliver() + deliver() + deliver()
    s['forged'] = ([0] + forge(B, 0, bytes(range(148))) + forge(A, 1, bytes(92)) +
                   forge(A, 2, bytes(64)) + forge(B, 3, bytes(40), extra=16, spoof=True) +
                   forge(B, 0, bytes(148), batch=True))
    s['forged_cookie_after_init'] = [0] + initiate(A) + forge(A, 2, b'\x03\x00\x00\x00' + bytes(60))
    s['inner_not_ip'] = [0] + HANDSHAKE + [1 | 0x40, 4, 0, 4, 0x99, 0x98, 0x97, 0x96, 0] + deliver()
    s['inner_short'] = [0] + HANDSHAKE + send(A, 30)[:-1] + [1, 7] + deliver()
    s['wrong_source'] = [0] + HANDSHAKE + [1 | 0x40, 0, 0, 16] + list(bytes.fromhex(
        '450000140000000040110000c0a80001')) + [0] + deliver()
    return s


for name, data in datagram_seeds().items():
    write('datagram', name, data)


# ---- fuzz_dns: cache conf, seconds, query length (2 bytes), query, reply ----
def name(n):
    out = b''
    for label in n.split('.'):
        out += bytes([len(label)]) + label.encode()
    return out + b'\0'


def header(qid, flags, qd=1, an=0, ns=0, ar=0):
    return struct.pack('>HHHHHH', qid, flags, qd, an, ns, ar)


def question(n, qtype=1, qclass=1):
    return name(n) + struct.pack('>HH', qtype, qclass)


def rr(rname, rtype, ttl, rdata, rclass=1):
    return rname + struct.pack('>HHIH', rtype, rclass, ttl, len(rdata)) + rdata


PTR = b'\xc0\x0c'                # a pointer to the question's name
OPT = rr(b'\0', 41, 0, b'', rclass=1232)


def dns_input(query, reply, conf=0x11, secs=30):
    return bytes([conf, secs]) + struct.pack('>H', len(query)) + query + reply


def dns_seeds():
    s = {}
    q = header(0x1234, 0x0100) + question('nas.lab')
    s['a_answer'] = dns_input(q, header(0x1234, 0x8180, an=1) + question('nas.lab') +
                              rr(PTR, 1, 300, bytes([192, 168, 88, 10])))
    q6 = header(0xabcd, 0x0120, ar=1) + question('WWW.Example.com', 28) + OPT
    s['aaaa_edns'] = dns_input(q6, header(0xabcd, 0x8180, an=2, ar=1) + question('www.example.com', 28) +
                               rr(PTR, 5, 3600, name('edge.example.net')) +
                               rr(b'\x04edge\x07example\x03net\x00', 28, 60, bytes(range(16))) + OPT)
    s['nxdomain'] = dns_input(q, header(0x1234, 0x8183, ns=1) + question('nas.lab') +
                              rr(name('lab'), 6, 900, name('ns.lab') + name('root.lab') + bytes(20)))
    s['truncated'] = dns_input(q, header(0x1234, 0x8380, an=1) + question('nas.lab') +
                               rr(PTR, 1, 300, bytes(4)))
    s['static_name'] = dns_input(header(7, 0x0100) + question('NAS.LAB', 28), b'', conf=0)
    s['static_other_type'] = dns_input(header(8, 0x0100) + question('router.lan', 16), b'')
    s['any_class'] = dns_input(header(9, 0x0100) + question('nas.lab', 255, 255), b'')
    s['not_query'] = dns_input(header(10, 0x2800) + question('nas.lab'), b'')
    s['compression_loop'] = dns_input(q, header(0x1234, 0x8180, an=1) + question('nas.lab') +
                                      rr(b'\xc0\x1d', 1, 300, bytes(4)))
    big = header(0x55, 0x0100, ar=1) + question('big.example', 16) + rr(b'\0', 41, 0, b'', rclass=4096)
    txt = b''.join(rr(PTR, 16, 120, bytes([250]) + bytes([0x41]) * 250) for _ in range(12))
    s['large_txt'] = dns_input(big, header(0x55, 0x8180, an=12) + question('big.example', 16) + txt,
                               conf=0xff, secs=100)
    s['small_cache'] = dns_input(q, header(0x1234, 0x8180, an=3) + question('nas.lab') +
                                 b''.join(rr(PTR, 1, 30 + i, bytes([10, 0, 0, i])) for i in range(3)),
                                 conf=0x00, secs=0)
    s['zero_ttl'] = dns_input(q, header(0x1234, 0x8180, an=1) + question('nas.lab') + rr(PTR, 1, 0, bytes(4)))
    s['max_name'] = dns_input(header(11, 0x0100) + question('.'.join(['a' * 63] * 3 + ['b' * 61])), b'')
    return s


for name_, data in dns_seeds().items():
    write('dns', name_, data)
