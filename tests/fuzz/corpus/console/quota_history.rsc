/interface wireguard add name=wg1 listen-port=13231
/interface wireguard peers add name=phone interface=wg1 allowed-address=10.0.0.2/32,fd00::2/128 public-key="Vj4OpREYtLUXwNYYhrZ2ZqZdFXUtAd1wsEzrVWhrg14=" expires="2027-01-31 23:59:00" max-rate=20M/5M quota-total=10G quota-period=month
/interface wireguard peers set phone quota-rx=512M quota-tx=1536k quota-action=rate-limit quota-rate=1M
/interface wireguard peers set phone expires=2026-02-30 max-rate=0 quota-total=99999999999999T quota-period=year
/interface wireguard peers set phone !expires !max-rate quota-action=disable
/interface wireguard peers traffic-history number=phone period=day
/interface wireguard peers traffic-history phone period=week
/interface wireguard traffic-history number=wg1 period=year
/interface wireguard peers print stats
/interface wireguard peers reset-counters phone
/interface wireguard peers print detail where quota-period=month
