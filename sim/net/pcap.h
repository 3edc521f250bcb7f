/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Classic pcap writer for `--pcap FILE`: every socket's wire bytes, both directions, wrapped in
 * synthesised IPv4 + TCP/UDP headers (LINKTYPE_RAW), so `tshark -r` decodes the (D)TLS records
 * (use -d tcp.port==N,tls / -d udp.port==N,dtls for non-standard ports). TCP flows get a
 * synthetic SYN / SYN-ACK / ACK, tracked sequence and acknowledgement numbers, and a FIN.
 */
#ifndef SIM_NET_PCAP_H
#define SIM_NET_PCAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pcap_writer;

/* One direction pair of a flow; embedded by the socket. Addresses and ports in host order. */
struct pcap_flow {
	uint8_t proto; /* 6 or 17 */
	uint32_t local_ip, remote_ip;
	uint16_t local_port, remote_port;
	uint32_t seq_out, seq_in; /* next sequence number of each side (TCP) */
	uint16_t ip_id;
	bool open;
};

/* Creates/truncates path (0600) and writes the file header. NULL on error (logged). */
struct pcap_writer *pcap_open(const char *path);
/* Flushes and closes. NULL-safe. */
void pcap_close(struct pcap_writer *w);

void pcap_flow_init(struct pcap_flow *f, uint8_t proto, uint32_t local_ip, uint16_t local_port,
		    uint32_t remote_ip, uint16_t remote_port);
/* TCP three-way handshake (no-op for UDP). */
int pcap_flow_open(struct pcap_writer *w, struct pcap_flow *f);
/* len payload bytes sent (outbound) or received; split into segments as needed. */
int pcap_flow_data(struct pcap_writer *w, struct pcap_flow *f, bool outbound, const void *data,
		   size_t len);
/* FIN from one side (TCP; no-op for UDP). */
int pcap_flow_fin(struct pcap_writer *w, struct pcap_flow *f, bool outbound);

#endif /* SIM_NET_PCAP_H */
