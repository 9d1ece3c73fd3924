/interface/wireguard/wg-import name=wgq config-string="[Interface]\nPrivateKey = UAjKTwLh6QbtR34xYgvgg0RCizgklwVkOe/2F0CqZkw=\nListenPort = 51900\nAddress = 10.66.0.1/24, fd00:66::1/64\n\n[Peer]\nPublicKey = 72TeQt2q+vSlXaPrPh4ZU2yPF0irq63hOEbuaN/7IFs=\nAllowedIPs = 10.66.0.2/32\nEndpoint = [2001:db8::9]:51900\nPersistentKeepalive = 25\n"
/interface/wireguard/wg-export wgq
/interface/wireguard/peers/show-client-config 0
/interface/wireguard/peers/add interface=wgq public-key="lYe1hH7wp1M0yTK3U1Eqgq9AAZETk/sSTAv4GAxoFCk=" allowed-address=10.66.0.3/32 client-address=10.66.0.3/32 client-dns=10.66.0.1 client-endpoint=vpn.example.com
/interface/wireguard/peers/show-client-config [find where allowed-address="10.66.0.3/32"] as-qr-code=yes
/interface/wireguard/wg-import config-string="[Peer]\nPublicKey = x\nAllowedIPs = 10.6.0.0/24\n"
