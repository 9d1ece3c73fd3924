:put [:len "hello"]
:put [:len {1;2;3}]
:put [:pick "hello" 1 3]
:put [:pick {10;20;30} 1]
:put [:find "hello" "l" 2]
:put [:find {a;b;c} "c"]
:put [:tostr 5]
:put ([:tonum "40"] + 2)
:put [:toip "10.0.0.1"]
:put [:toip6 "2001:db8::1"]
:put [:tobool "yes"]
:put [:totime "1h"]
:put [:toarray "a,b,c"]
:put [:typeof 5]
:put [:typeof "5"]
:put [:typeof [:tostr 5]]
:put [:typeof 10.0.0.0/8]
:put [:typeof $nothing]
:put [:typeof [:tonum "abc"]]
:local n [:len [/interface/wireguard/print as-value]]
:put ("n=" . $n)
/interface/print stats
/ip/route/print dynamic
/ip/firewall/address-list/print static
:local who "wg1"
:put "interface $who has mtu $x, costs \$5"
/interface/wireguard/add name="w$who" comment="made by $who"
