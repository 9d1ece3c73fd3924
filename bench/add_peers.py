"""Appends N peers of interface IFACE to a stopped router's state file (one commit per
peer through the router would measure the disk, not what a bench is after). Keys come
from the kernel's CSPRNG; addresses from 10.64.0.0 on, names bench0, bench1, ...
usage: add_peers.py STATE_FILE N IFACE"""
import base64
import os
import re
import sys

path, n, iface = sys.argv[1], int(sys.argv[2]), sys.argv[3]
text = open(path).read()
m = re.search(r'^next /interface/wireguard/peers (\d+)$', text, re.M)
first = int(m.group(1)) if m else 1
lines = []
for i in range(n):
    k = base64.b64encode(os.urandom(32)).decode()
    lines.append('item /interface/wireguard/peers *%X interface="%s" public-key="%s" allowed-address="10.%d.%d.%d/32" name="bench%d"'
                 % (first + i, iface, k, 64 + i // 65536, (i // 256) % 256, i % 256, i))
text = re.sub(r'^next /interface/wireguard/peers \d+$', 'next /interface/wireguard/peers %d' % (first + n), text, flags=re.M)
open(path, 'w').write(text.rstrip('\n') + '\n' + '\n'.join(lines) + '\n')
