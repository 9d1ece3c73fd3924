/* The router's own DNS client: /ip/dns servers are used for the router's lookups
 * (peer endpoint host names), as on RouterOS, instead of the host's resolv.conf. */
#ifndef WG_DNS_RESOLVE_H
#define WG_DNS_RESOLVE_H
#include <stddef.h>
#include <sys/socket.h>

/* Asks each server (IPv4/IPv6 literal, port 53) for an A record, then AAAA, with a short
 * timeout per try. On success writes the first address into out (sockaddr with port
 * set) and returns 0; -1 otherwise. */
int wg_dns_resolve(const char *const *servers, size_t nservers, const char *host, unsigned port,
		   struct sockaddr_storage *out, int timeout_ms);
/* Builds the query packet (exposed for tests); returns its length or -1. */
int wg_dns_query(unsigned char *buf, size_t len, unsigned id, const char *host, int qtype);
/* Parses a reply to query id for qtype; the first answer's address into out. */
int wg_dns_parse(const unsigned char *buf, size_t len, unsigned id, int qtype, struct sockaddr_storage *out);
/* A server of /ip/dns servers (an IPv4 or IPv6 literal) as a socket address, port 53;
 * 0, or -1 when it is not an address. */
int wg_dns_server_addr(const char *server, struct sockaddr_storage *ss);
#endif
