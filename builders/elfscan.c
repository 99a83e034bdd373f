/* elfscan.c - the dynamic section of an ELF file (type, DT_SONAME, DT_NEEDED, rpaths), read
 * with every offset checked against the file: the input is whatever a build produced. */
#include "builders/alpine.h"

#include <stdlib.h>
#include <string.h>

#define ELF_MAX_PHDRS 4096
#define ELF_MAX_DYN 65536 /* dynamic entries looked at */

enum { PT_LOAD_ = 1, PT_DYNAMIC_ = 2 };
enum {
	DT_NULL_ = 0,
	DT_NEEDED_ = 1,
	DT_STRTAB_ = 5,
	DT_STRSZ_ = 10,
	DT_SONAME_ = 14,
	DT_RPATH_ = 15,
	DT_RUNPATH_ = 29
};

struct elf_view {
	const unsigned char *p;
	size_t n;
	int is64, be;
};

/* an unsigned field of w bytes at off, or 0 with *bad set when it lies outside the file */
static uint64_t field(const struct elf_view *v, uint64_t off, int w, int *bad)
{
	uint64_t x = 0;
	if (off > v->n || (uint64_t)w > v->n - off) {
		*bad = 1;
		return 0;
	}
	for (int i = 0; i < w; i++) {
		unsigned byte = v->p[off + (uint64_t)(v->be ? i : w - 1 - i)];
		x = (x << 8) | byte;
	}
	return x;
}

void elf_dyninfo_free(struct elf_dyninfo *d)
{
	if (!d)
		return;
	free(d->soname);
	strv_free(&d->needed);
	strv_free(&d->rpath);
	memset(d, 0, sizeof(*d));
}

/* the dynamic entry at off: 0 at DT_NULL or the end of the file, else 1 */
static int dyn_entry(const struct elf_view *v, uint64_t off, uint64_t *tag, uint64_t *val)
{
	int aw = v->is64 ? 8 : 4, bad = 0;
	*tag = field(v, off, aw, &bad);
	*val = field(v, off + (uint64_t)aw, aw, &bad);
	return !bad && *tag != DT_NULL_;
}

struct load_seg {
	uint64_t vaddr, off, filesz;
};

/* the file offset of a virtual address, through the PT_LOAD segment holding it */
static int vaddr_to_off(const struct load_seg *s, size_t ns, uint64_t va, uint64_t *off,
			uint64_t *avail)
{
	for (size_t i = 0; i < ns; i++)
		if (va >= s[i].vaddr && va - s[i].vaddr < s[i].filesz) {
			*off = s[i].off + (va - s[i].vaddr);
			*avail = s[i].filesz - (va - s[i].vaddr);
			return 0;
		}
	return -1;
}

/* a NUL-terminated string of the string table; NULL when it runs past the table */
static char *dyn_string(const struct elf_view *v, uint64_t tab, uint64_t tabsz, uint64_t idx)
{
	if (idx >= tabsz)
		return NULL;
	const char *s = (const char *)v->p + tab + idx;
	size_t max = (size_t)(tabsz - idx), len = strnlen(s, max);
	return len == max ? NULL : xstrndup(s, len);
}

/* a name that can go into .PKGINFO: printable, no white space, not empty */
static int printable_name(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return 0;
	return 1;
}

int elf_dyninfo_read(const void *p, size_t n, const char *what, struct elf_dyninfo *out,
		     struct kerr *e)
{
	struct elf_view v = {p, n, 0, 0};
	struct load_seg *segs = NULL;
	size_t nsegs = 0;
	uint64_t dyn_off = 0, dyn_size = 0, strtab_va = 0, strsz = 0;
	int bad = 0, have_dyn = 0, have_strtab = 0, ret = 1;

	memset(out, 0, sizeof(*out));
	if (n < 16 || memcmp(p, "\177ELF", 4))
		return 1;
	if ((v.p[4] != 1 && v.p[4] != 2) || (v.p[5] != 1 && v.p[5] != 2))
		return kerr_set(e, KILN_EPARSE, "%s: ELF file of unknown class or byte order",
				what);
	v.is64 = v.p[4] == 2;
	v.be = v.p[5] == 2;
	int aw = v.is64 ? 8 : 4; /* address width */
	out->type = (int)field(&v, 16, 2, &bad);
	uint64_t phoff = field(&v, v.is64 ? 32 : 28, aw, &bad);
	uint64_t phentsize = field(&v, v.is64 ? 54 : 42, 2, &bad);
	uint64_t phnum = field(&v, v.is64 ? 56 : 44, 2, &bad);
	if (bad)
		return kerr_set(e, KILN_EPARSE, "%s: truncated ELF header", what);
	if (phnum == 0)
		return 0; /* a relocatable object or a file without program headers */
	if (phnum > ELF_MAX_PHDRS || phentsize < (uint64_t)(v.is64 ? 56 : 32) || phoff > n ||
	    phnum * phentsize > n - phoff)
		return kerr_set(e, KILN_EPARSE, "%s: ELF program headers outside the file", what);
	segs = xcalloc(phnum, sizeof(*segs));
	for (uint64_t i = 0; i < phnum; i++) {
		uint64_t h = phoff + i * phentsize;
		uint64_t type = field(&v, h, 4, &bad);
		uint64_t off = field(&v, h + (v.is64 ? 8 : 4), aw, &bad);
		uint64_t vaddr = field(&v, h + (v.is64 ? 16 : 8), aw, &bad);
		uint64_t filesz = field(&v, h + (v.is64 ? 32 : 16), aw, &bad);
		if (type != PT_LOAD_ && type != PT_DYNAMIC_)
			continue;
		if (off > n || filesz > n - off) {
			ret = kerr_set(e, KILN_EPARSE, "%s: ELF segment %llu outside the file",
				       what, (unsigned long long)i);
			goto out;
		}
		if (type == PT_LOAD_)
			segs[nsegs++] = (struct load_seg){vaddr, off, filesz};
		else if (!have_dyn) {
			have_dyn = 1;
			dyn_off = off;
			dyn_size = filesz;
		}
	}
	ret = 0;
	if (!have_dyn)
		goto out; /* static: nothing needed, no soname */
	out->dynamic = 1;
	uint64_t entsz = v.is64 ? 16 : 8, count = dyn_size / entsz;
	if (count > ELF_MAX_DYN)
		count = ELF_MAX_DYN;
	/* first the string table, then the entries that point into it */
	uint64_t tag, val;
	for (uint64_t i = 0; i < count && dyn_entry(&v, dyn_off + i * entsz, &tag, &val); i++) {
		if (tag == DT_STRTAB_) {
			strtab_va = val;
			have_strtab = 1;
		} else if (tag == DT_STRSZ_) {
			strsz = val;
		}
	}
	uint64_t tab = 0, avail = 0;
	if (!have_strtab || vaddr_to_off(segs, nsegs, strtab_va, &tab, &avail) < 0) {
		ret =
		    kerr_set(e, KILN_EPARSE, "%s: ELF dynamic string table outside the file", what);
		goto out;
	}
	if (strsz < avail)
		avail = strsz;
	for (uint64_t i = 0; i < count && dyn_entry(&v, dyn_off + i * entsz, &tag, &val); i++) {
		if (tag != DT_NEEDED_ && tag != DT_SONAME_ && tag != DT_RPATH_ &&
		    tag != DT_RUNPATH_)
			continue;
		char *s = dyn_string(&v, tab, avail, val);
		if (!s || (tag != DT_RPATH_ && tag != DT_RUNPATH_ && !printable_name(s))) {
			ret = kerr_set(e, KILN_EPARSE, "%s: bad ELF dynamic %s string", what,
				       tag == DT_NEEDED_   ? "DT_NEEDED"
				       : tag == DT_SONAME_ ? "DT_SONAME"
							   : "rpath");
			free(s);
			goto out;
		}
		if (tag == DT_NEEDED_) {
			if (!strv_contains(&out->needed, s))
				strv_add(&out->needed, s);
			free(s);
		} else if (tag == DT_SONAME_) {
			free(out->soname);
			out->soname = s;
		} else {
			strv_split(&out->rpath, s, ":");
			free(s);
		}
	}
out:
	free(segs);
	if (ret < 0)
		elf_dyninfo_free(out);
	return ret;
}
