/interface wireguard add name=wg0 listen-port=51820
/interface wireguard add name=wg0 listen-port=51821
/interface wireguard add name=wg1 private-key="not-a-key"
/interface wireguard peers add interface=wg9 public-key="xXlumlKuboaMlgVaZCDOt1eHTWSk8wH34eIm1a4jhxU="
/ip address add address=10.0.0.1/33 interface=wg0
/ip firewall filter add chain=input protocol=tcp dst-port=80-
/ip firewall filter add chain=input packet-mark=x action=drop
/interface wireguard set wg0 mtu=99999
/interface wireguard remove wg7
/ip route add dst-address=10.0.0.0/8 gateway=wg0 routing-table=nope
/routing mangle add chain=prerouting action=mark-connection new-connection-mark=x
:error "stop here"
/interface wireguard add name=wg2
