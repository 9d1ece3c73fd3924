/ip dns set servers=9.9.9.9 cache-size=4096 cache-max-ttl=1d allow-remote-requests=yes
/ip dns static add name=nas.lab address=192.168.88.10 ttl=1h
/ip dns static add name=nas.lab address=fd00::10
/system identity set name=office-gw
/system logging add topics=wireguard,debug action=memory
/system logging add topics=firewall action=echo disabled=yes
:log info "configured"
/log print where topics~"script"
/system resource print
/system package print
