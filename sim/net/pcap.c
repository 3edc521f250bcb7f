/* SPDX-License-Identifier: Apache-2.0 */
#define LOG_MODULE "pcap"
#include "pcap.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "afile.h"
#include "log.h"

#define LINKTYPE_RAW 101
#define SEG_MAX      1400 /* payload bytes per synthesised packet */
#define UDP_MAX      65507
#define TCP_SYN      0x02
#define TCP_FIN      0x01
#define TCP_PSH      0x08
#define TCP_ACK      0x10

struct pcap_writer {
	FILE *f;
};

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

struct pcap_writer *pcap_open(const char *path)
{
	struct pcap_writer *w = calloc(1, sizeof(*w));
	/* Native-endian classic header: magic, v2.4, tz 0, sigfigs 0, snaplen, linktype. */
	const uint32_t hdr[6] = { 0xa1b2c3d4u, 0x00040002u, 0, 0, 65535, LINKTYPE_RAW };
	char err[PATH_MAX + 128] = "";
	int fd = -1;

	if (w == NULL)
		goto fail;
	fd = afile_open_output(path, false, err, sizeof(err)); /* no symlink, 0600 */
	if (fd < 0)
		goto fail;
	w->f = fdopen(fd, "wb");
	if (w->f == NULL)
		goto fail;
	fd = -1;
	if (fwrite(hdr, sizeof(hdr), 1, w->f) != 1 || fflush(w->f) != 0)
		goto fail;
	return w;
fail:
	if (err[0] != '\0')
		log_error("cannot write pcap file %s", err);
	else
		log_error("cannot write pcap file %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	pcap_close(w);
	return NULL;
}

void pcap_close(struct pcap_writer *w)
{
	if (w == NULL)
		return;
	if (w->f != NULL)
		fclose(w->f);
	free(w);
}

void pcap_flow_init(struct pcap_flow *f, uint8_t proto, uint32_t local_ip, uint16_t local_port,
		    uint32_t remote_ip, uint16_t remote_port)
{
	memset(f, 0, sizeof(*f));
	f->proto = proto;
	f->local_ip = local_ip;
	f->local_port = local_port;
	f->remote_ip = remote_ip;
	f->remote_port = remote_port;
	f->seq_out = 0x1000;
	f->seq_in = 0x8000;
}

static uint16_t ip_checksum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Writes one packet: IPv4 header, L4 header (TCP with flags, or UDP), payload. */
static int emit(struct pcap_writer *w, struct pcap_flow *f, bool out, uint8_t flags,
		const void *data, size_t len)
{
	size_t l4 = f->proto == 6 ? 20 : 8, total = 20 + l4 + len;
	uint8_t *pkt = calloc(1, total), *h = pkt, *t = pkt + 20;
	uint32_t rec[4];
	struct timeval tv;
	int rc = -EIO;

	if (pkt == NULL)
		return -ENOMEM;
	h[0] = 0x45;
	put16(h + 2, (uint32_t)total);
	put16(h + 4, f->ip_id++);
	h[8] = 64;
	h[9] = f->proto;
	put32(h + 12, out ? f->local_ip : f->remote_ip);
	put32(h + 16, out ? f->remote_ip : f->local_ip);
	put16(h + 10, ip_checksum(h, 20));
	put16(t, out ? f->local_port : f->remote_port);
	put16(t + 2, out ? f->remote_port : f->local_port);
	if (f->proto == 6) {
		put32(t + 4, out ? f->seq_out : f->seq_in);
		put32(t + 8, (flags & TCP_ACK) ? (out ? f->seq_in : f->seq_out) : 0);
		t[12] = 5 << 4;
		t[13] = flags;
		put16(t + 14, 65535);
	} else {
		put16(t + 4, (uint32_t)(8 + len));
	}
	if (len > 0)
		memcpy(pkt + 20 + l4, data, len);
	gettimeofday(&tv, NULL);
	rec[0] = (uint32_t)tv.tv_sec;
	rec[1] = (uint32_t)tv.tv_usec;
	rec[2] = rec[3] = (uint32_t)total;
	if (fwrite(rec, sizeof(rec), 1, w->f) == 1 && fwrite(pkt, total, 1, w->f) == 1)
		rc = 0;
	free(pkt);
	return rc;
}

int pcap_flow_open(struct pcap_writer *w, struct pcap_flow *f)
{
	int rc = 0;

	if (w == NULL || f->open)
		return 0;
	f->open = true;
	if (f->proto != 6)
		return 0;
	rc = emit(w, f, true, TCP_SYN, NULL, 0);
	f->seq_out++;
	if (rc == 0)
		rc = emit(w, f, false, TCP_SYN | TCP_ACK, NULL, 0);
	f->seq_in++;
	if (rc == 0)
		rc = emit(w, f, true, TCP_ACK, NULL, 0);
	if (rc == 0)
		rc = fflush(w->f) == 0 ? 0 : -EIO;
	return rc;
}

int pcap_flow_data(struct pcap_writer *w, struct pcap_flow *f, bool outbound, const void *data,
		   size_t len)
{
	const uint8_t *p = data;
	int rc = 0;

	if (w == NULL || len == 0)
		return 0;
	if (!f->open)
		rc = pcap_flow_open(w, f);
	while (rc == 0 && len > 0) {
		size_t seg = f->proto == 6 ? SEG_MAX : UDP_MAX, n = len < seg ? len : seg;

		rc = emit(w, f, outbound, TCP_ACK | TCP_PSH, p, n);
		if (outbound)
			f->seq_out += (uint32_t)n;
		else
			f->seq_in += (uint32_t)n;
		p += n;
		len -= n;
	}
	if (rc == 0)
		rc = fflush(w->f) == 0 ? 0 : -EIO;
	return rc;
}

int pcap_flow_fin(struct pcap_writer *w, struct pcap_flow *f, bool outbound)
{
	int rc;

	if (w == NULL || f->proto != 6 || !f->open)
		return 0;
	rc = emit(w, f, outbound, TCP_FIN | TCP_ACK, NULL, 0);
	if (outbound)
		f->seq_out++;
	else
		f->seq_in++;
	if (rc == 0)
		rc = fflush(w->f) == 0 ? 0 : -EIO;
	return rc;
}
