/interface wireguard add name=wg-site listen-port=51821 private-key="OEBRK68K2qPpsd7gTEVOsdlzBZd1e6PoE+HSOCLVQHw="
/ip address add address=10.200.201.1/30 interface=wg-site
/interface wireguard peers add interface=wg-site public-key="lYe1hH7wp1M0yTK3U1Eqgq9AAZETk/sSTAv4GAxoFCk=" \
    allowed-address=10.200.201.2/32,172.16.0.0/24 endpoint-address=vpn.example.com \
    endpoint-port=51821 persistent-keepalive=25s preshared-key="6cvhKuxLmJZv8x8U6Q1EGgUFBYAZzTXVmsbEvGGSQSo=" comment="Site B (Secondary)"
/ip firewall filter add chain=forward src-address=172.16.0.0/24 dst-address=10.0.0.0/16 in-interface=wg-site out-interface=bridge-trunk action=accept
/ip firewall filter add chain=forward action=fasttrack-connection connection-state=established,related
/ip firewall filter add chain=forward action=drop comment="Default drop forward"
/interface wireguard set wg-site mtu=1412
/ip route print where dst-address~"172.16"
/ip dns set servers=1.1.1.1,8.8.8.8 allow-remote-requests=no
/interface wireguard disable wg-site; /interface wireguard enable wg-site
/export
