:local name "wg-lab"
:global port 51840
/interface wireguard add name=$name listen-port=$port
:foreach i in=[/interface wireguard find] do={ :put [/interface wireguard get $i name] }
:if ($port = 51840 && $name~"^wg") do={ :put "found" } else={ :put "missing" }
/interface wireguard peers add interface=$name public-key="xXlumlKuboaMlgVaZCDOt1eHTWSk8wH34eIm1a4jhxU=" allowed-address=10.9.0.2/32
/interface wireguard peers print
/interface wireguard peers set 0 comment="first peer" persistent-keepalive=10s
/interface wireguard peers disable [find where allowed-address~"10.9"]
/interface wireguard peers unset 0 persistent-keepalive
/tool wg-genkey
:set port 51841
/interface wireguard set [find name=$name] listen-port=$port
:put [/interface wireguard get [find name=$name] public-key]
/interface wireguard peers remove [find]
