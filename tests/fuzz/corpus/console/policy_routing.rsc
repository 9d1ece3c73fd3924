/routing table add name=via-wg fib
/interface wireguard add name=wg-out listen-port=51830 private-key="gLnVqDUhExzkMtQDDCMRAi2ZLN46TuNv1s+UmG41XFo="
/ip route add dst-address=0.0.0.0/0 gateway=wg-out routing-table=via-wg
/routing mangle add chain=prerouting src-address=192.168.1.50 action=mark-routing new-routing-mark=via-wg passthrough=no
/ip firewall address-list add list=blocked address=192.0.2.0/24 timeout=1d
/ip firewall address-list add list=blocked address=198.51.100.1-198.51.100.9
/routing mangle print
/ip route print detail
