/* apply-private.h - the pieces of patch application shared by apply.c
 * (classification), match.c (where a hunk matches), hunks.c (applying a
 * patch's hunks to the tree in memory) and layout.c (-pN and prefixes).
 * Not a public header: only backports/ includes it. */
#ifndef KILN_BACKPORTS_APPLY_PRIVATE_H
#define KILN_BACKPORTS_APPLY_PRIVATE_H

#include "backports/backports.h"

enum match_mode { M_EXACT = 0, M_EOL, M_WS };

struct level {
	int mode, fuzz;
};

/* ---- matching a hunk against a file (match.c) ---- */

/* lines equal under a match_mode (exact, CR/LF ignored, blanks loose) */
int line_text_eq(const char *a, size_t la, const char *b, size_t lb, int mode);
/* the sides of a hunk, forward or reversed */
int hunk_old_side(char kind, int rev);
int hunk_new_side(char kind, int rev);

struct hunk_shape {
	const struct patch_line **old; /* old-side lines in order */
	size_t nold, lead, trail;      /* leading/trailing context lines */
};
/* s->old is malloc'd: the caller frees it */
void hunk_shape_of(const struct patch_hunk *h, int rev, struct hunk_shape *s);
/* search outward from the expected position; -1 when nowhere */
long hunk_find_match(const struct tree_file *f, long expect, long min_pos,
		     const struct hunk_shape *s, int mode, size_t skipl, size_t skipt);
/* Why a hunk does not match: the closest place and its first differing line. */
char *hunk_explain_mismatch(const struct tree_file *f, const struct patch_hunk *h,
			    const struct hunk_shape *s, long expect);

/* ---- patch paths in the tree (layout.c) ---- */

/* Pick the -pN and prefix under which most of the patch's files exist. */
void patch_resolve_layout(const struct tree *t, const struct patch *p, int *strip, char **prefix);
/* the tree path a file of the patch goes to; NULL when it cannot be mapped */
char *patch_target_path(const struct patch_file *f, int strip, const char *prefix, int use_new);

/* ---- applying one patch's hunks in memory (hunks.c) ---- */

struct saved {
	size_t idx; /* into t->files */
	struct tree_line *cur;
	size_t ncur;
	int exists, touched;
};
void tree_save_files(struct tree *t, const size_t *idx, size_t n, struct saved *sv);
void tree_restore_files(struct tree *t, struct saved *sv, size_t n);
void saved_free(struct saved *sv, size_t n);

struct pass {
	struct hunk_result *hunks;
	size_t n;
	enum bp_class worst;
	int ok;
};
void pass_free(struct pass *ps);
/* Apply every file of p (paths already resolved to idx[]) at the given
 * levels; fills ps. The tree is changed; the caller restores on failure. */
void pass_run(struct tree *t, const struct patch *p, char **paths, const size_t *idx, int rev,
	      const struct level *levels, size_t nlevels, struct pass *ps);
/* move the pass's hunk results into pr */
void pass_take(struct patch_result *pr, struct pass *ps);

#endif
