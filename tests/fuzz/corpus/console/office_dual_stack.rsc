/interface/wireguard/add listen-port=13231 mtu=1420 name=wireguard1 private-key="cLl7cFHl8M0AJTYLpC7voXEFWfMxdvSNBRvRQBxCll8="
/ip/address/add address=10.1.101.1/24 interface=wireguard1
/ipv6/address/add address=fd00:101::1/64 interface=wireguard1
/interface/wireguard/peers/add interface=wireguard1 public-key="5MoTlkMkBKgZqd3LK9TOoBvAVt5gelumg17axO3m/Vo=" allowed-address=10.1.101.2/32,10.255.255.0/24,fd00:101::2/128 endpoint-address=192.0.2.7 endpoint-port=13231
/ip/route/add dst-address=10.255.255.0/24 gateway=wireguard1
/ipv6/route/add dst-address=fd00:255::/48 gateway=wireguard1
/ipv6/firewall/filter/add chain=input protocol=icmpv6 action=accept comment=ICMPv6
/ipv6/firewall/filter/add chain=input connection-state=established,related action=accept
/ip/firewall/filter/add chain=input protocol=udp dst-port=13231 action=accept comment=WireGuard place-before=0
/interface/wireguard/peers/print
/ip/firewall/filter/print stats
