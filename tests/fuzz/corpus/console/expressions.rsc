:local x 5
:put ($x + 2)
:put (1+2*3-4/2%3)
:put ((1 + 2) * -3)
:put ("a" . "b" . $x)
:put (1.2.3.4 + 1)
:put (10.0.0.10 - 10.0.0.1)
:put (192.168.1.77 & 255.255.255.0)
:put (~0.0.0.255)
:put (10.1.2.3 in 10.0.0.0/8)
:put (2001:db8::1 in 2001:db8::/32)
:put (1h + 30m)
:put (2m * 3)
:put (1 < 2 && !(3 >= 4) || "a" ~ "^a")
:put (6 & 3 | 8 ^ 1)
:local y ($x * $x)
:set y ($y - 1)
:if ($y > 10 and $x != 4) do={ :put big } else={ :put small }
:foreach i in={1;2;3} do={ :put ($i * 10) }
:put {a=1;b=2}
/interface/wireguard/add name=wg1 mtu=($x + 1415)
/ip/address/add interface=wg1 address=(10.0.0.0 + 1 . "/24")
:put (1 / 0)
