/ip firewall filter
add chain=input action=accept comment=one
add chain=input action=drop comment=two
add chain=forward action=accept protocol=udp port=53 comment=three
print
move 2 0
comment 1 comment="renamed"
disable 0
enable 0
print terse
print count-only
print as-value
remove 1
/ip firewall filter reset-counters-all
..
/interface print
/export terse verbose
