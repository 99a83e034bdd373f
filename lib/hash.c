/* hash.c - sha256 of memory, files and descriptors (OpenSSL EVP). */
#include "kiln.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <string.h>
#include <unistd.h>

void hex_encode(const unsigned char *d, size_t n, char *hex)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		hex[2 * i] = digits[d[i] >> 4];
		hex[2 * i + 1] = digits[d[i] & 15];
	}
	hex[2 * n] = '\0';
}

void sha256_mem(const void *p, size_t n, char hex[SHA256_HEX_LEN + 1])
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned dl = 0;
	EVP_Digest(p, n, d, &dl, EVP_sha256(), NULL);
	hex_encode(d, dl, hex);
}

int sha256_fd(int fd, char hex[SHA256_HEX_LEN + 1], uint64_t *size, struct kerr *e)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned dl = 0;
	uint64_t total = 0;
	static __thread unsigned char buf[1 << 16];
	ssize_t r;
	int ret = 0;

	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	for (;;) {
		r = read(fd, buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ret = kerr_errno(e, KILN_EIO, "reading for sha256");
			goto out;
		}
		if (r == 0)
			break;
		EVP_DigestUpdate(ctx, buf, (size_t)r);
		total += (uint64_t)r;
	}
	EVP_DigestFinal_ex(ctx, d, &dl);
	hex_encode(d, dl, hex);
	if (size)
		*size = total;
out:
	EVP_MD_CTX_free(ctx);
	return ret;
}

int sha256_file(const char *path, char hex[SHA256_HEX_LEN + 1], uint64_t *size, struct kerr *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return kerr_errno(e, KILN_EIO, "%s", path);
	ret = sha256_fd(fd, hex, size, e);
	close(fd);
	if (ret < 0)
		kerr_prefix(e, "%s: ", path);
	return ret;
}

int is_sha256_hex(const char *s)
{
	size_t i;
	for (i = 0; s[i]; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return i == SHA256_HEX_LEN;
}
