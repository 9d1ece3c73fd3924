/interface wireguard
add name=wg1
