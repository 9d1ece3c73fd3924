# WireGuard interface
/interface wireguard add name=wg-remote listen-port=51820 private-key="gIqjeSqEF30qBct/1x/i0nk2BSYcCb1iG66oN4Htw0o="
/ip address add address=10.200.200.1/24 interface=wg-remote comment="WG remote pool gateway"
/interface wireguard peers add \
interface=wg-remote \
public-key="bvUIT3/3p5oMVZUokLcevqwPMhhAFR5fZ3XOpWp8VzE=" \
allowed-address=10.200.200.2/32 \
comment="Phone - Pixel 9"
/interface list add name=WAN
/interface list member add list=WAN interface=ether1
/ip firewall filter add chain=input protocol=udp dst-port=51820 in-interface-list=WAN action=accept comment="Allow WireGuard UDP"
/ip firewall nat add chain=srcnat src-address=10.200.200.0/24 dst-address=10.0.0.0/16 action=srcnat comment="NAT remote WG clients to LAN"
/ip firewall filter add chain=forward src-address=10.200.200.0/24 dst-address=10.0.10.0/24 action=accept comment="Allow WG clients → HOME (10)"
/interface wireguard print detail
