/* record.c - kiln's build record: source identity, lock, environment, build
 * path and every output's sha256, as JSON (rendered by attest/ later). */
#include "builders/record.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static json_t *file_obj(const char *name, const char *sha256, uint64_t size)
{
	json_t *f = json_object();
	json_object_set_new(f, "name", json_string(name));
	json_object_set_new(f, "sha256", json_string(sha256));
	json_object_set_new(f, "size", json_integer((json_int_t)size));
	return f;
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

int record_write(const struct record_info *ri, const char *path, struct kerr *e)
{
	json_t *root = json_object(), *src = json_object(), *files = json_array();
	json_t *lock = json_object(), *pkgs = json_array(), *build = json_object();
	json_t *env = json_object(), *argv = json_array(), *outs = json_array();
	json_t *user = json_object(), *meta = json_object();
	char finished[32];
	time_t now = time(NULL);
	struct tm tm;
	int ret;

	json_object_set_new(root, "kiln_build_record", json_integer(1));
	json_object_set_new(root, "distro", str_or_null(ri->distro));

	json_object_set_new(src, "name", json_string(ri->src->package));
	json_object_set_new(src, "version", json_string(ri->src->version));
	json_object_set_new(src, "format", str_or_null(ri->src->format));
	json_object_set_new(src, "suite", str_or_null(ri->src->suite));
	for (size_t i = 0; i < ri->src->nfiles; i++)
		json_array_append_new(files,
				      file_obj(ri->src->files[i].name, ri->src->files[i].sha256,
					       ri->src->files[i].size));
	json_object_set_new(src, "files", files);
	json_object_set_new(src, "patches", json_array());
	json_object_set_new(root, "source", src);

	char rid[SHA256_HEX_LEN + 1];
	if (ri->root_id)
		snprintf(rid, sizeof(rid), "%s", ri->root_id);
	else
		debroot_id(ri->lock, rid);
	json_object_set_new(lock, "sha256", json_string(ri->lock->sha256));
	json_object_set_new(lock, "root_id", json_string(rid));
	json_object_set_new(lock, "distro", str_or_null(ri->lock->distro));
	json_object_set_new(lock, "arch", str_or_null(ri->lock->arch));
	for (size_t i = 0; i < ri->lock->n; i++) {
		const struct lock_pkg *p = &ri->lock->pkgs[i];
		json_t *o = json_object();
		json_object_set_new(o, "name", json_string(p->name));
		json_object_set_new(o, "version", json_string(p->version));
		json_object_set_new(o, "arch", json_string(p->arch));
		json_object_set_new(o, "sha256", json_string(p->sha256));
		json_object_set_new(o, "size", json_integer((json_int_t)p->size));
		json_object_set_new(o, "filename", json_string(p->filename));
		json_object_set_new(o, "mirror", json_string(p->mirror));
		json_object_set_new(o, "essential", json_boolean(p->essential));
		json_array_append_new(pkgs, o);
	}
	json_object_set_new(lock, "packages", pkgs);
	json_object_set_new(root, "lock", lock);

	for (size_t i = 0; i < ri->env->n; i++) {
		const char *kv = ri->env->v[i], *eq = strchr(kv, '=');
		if (!eq)
			continue;
		char *k = xstrndup(kv, (size_t)(eq - kv));
		json_object_set_new(env, k, json_string(eq + 1));
		free(k);
	}
	for (size_t i = 0; i < ri->argv->n; i++)
		json_array_append_new(argv, json_string(ri->argv->v[i]));
	json_object_set_new(user, "name", json_string(BUILD_USER));
	json_object_set_new(user, "uid", json_integer(BUILD_UID));
	json_object_set_new(user, "gid", json_integer(BUILD_GID));
	json_object_set_new(build, "kind", json_string(ri->kind));
	json_object_set_new(build, "build_path", json_string(ri->build_path));
	json_object_set_new(build, "source_date_epoch", json_integer(ri->sde));
	json_object_set_new(build, "environment", env);
	json_object_set_new(build, "command", argv);
	json_object_set_new(build, "user", user);
	json_object_set_new(build, "hostname", json_string(ri->hostname));
	json_object_set_new(build, "umask", json_string("0022"));
	json_object_set_new(build, "network", json_boolean(0));
	json_object_set_new(build, "sandbox_profile", json_string("build"));
	json_object_set_new(root, "build", build);

	for (size_t i = 0; i < ri->noutputs; i++)
		json_array_append_new(outs, file_obj(ri->outputs[i].name, ri->outputs[i].sha256,
						     ri->outputs[i].size));
	json_object_set_new(root, "outputs", outs);
	if (ri->log_sha256) {
		json_t *lg = json_object();
		json_object_set_new(lg, "name", json_string(ri->log_name));
		json_object_set_new(lg, "sha256", json_string(ri->log_sha256));
		json_object_set_new(root, "log", lg);
	} else {
		json_object_set_new(root, "log", json_string(ri->log_name));
	}

	gmtime_r(&now, &tm);
	strftime(finished, sizeof(finished), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_object_set_new(meta, "kiln_version", json_string(KILN_VERSION));
	json_object_set_new(meta, "started", json_string(ri->started));
	json_object_set_new(meta, "finished", json_string(finished));
	json_object_set_new(root, "metadata", meta);

	char *text = json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref(root);
	if (!text)
		return kerr_set(e, KILN_EIO, "%s: cannot render the build record", path);
	struct kbuf b = {0};
	kbuf_adds(&b, text);
	kbuf_adds(&b, "\n");
	free(text);
	ret = write_file_atomic(path, b.data, b.len, 0644, e);
	kbuf_free(&b);
	return ret;
}
