/*
 * aws_config.c - a profile of the AWS CLI's shared files resolved as the
 * CLI resolves it (see aws_config.h): which profile, its region, its
 * endpoints and where its credentials come from.  The files are read by
 * aws_ini.c; credential_process output and STS are in aws_sts.c.
 *
 * The order of the credential sources is botocore's, not the one a
 * reader of the files might guess: a profile with role_arn assumes the
 * role even when it has keys of its own (they are the source only when
 * source_profile names the profile itself), and the credentials file's
 * keys beat a credential_process, which beats the config file's keys.
 * Environment keys are skipped only when the profile was named by the
 * caller ([ecs] profile), as with the CLI's --profile; AWS_PROFILE does
 * not hide them.  Following the CLI exactly means a profile that works in
 * `aws ecs list-services` works here, and one that does not fails here
 * for the same reason.
 */
#include "aws_config.h"
#include "aws_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "xalloc.h"

#define MAX_HOPS 16

struct files {
	struct aws_ini config, creds;
	char *(*getenv_fn)(const char *);
};

/* The environment variable name, or NULL when unset or empty. */
static const char *
env(const struct files *f, const char *name)
{
	const char *v = f->getenv_fn(name);

	return v != NULL && *v != '\0' ? v : NULL;
}

/* ---- profiles in the two files ------------------------------------------------- */

/*
 * Whether a config file section names profile name: "[default]",
 * "[profile NAME]" or "[profile "NAME"]" (botocore splits it as a shell
 * would and wants exactly two words; anything else is no profile).
 */
static bool
config_names(const char *section, const char *name)
{
	const char *p;
	size_t n = strlen(name);

	if (strcmp(name, "default") == 0 && strcmp(section, "default") == 0)
		return true;
	if (strncmp(section, "profile", 7) != 0 || (section[7] != ' ' && section[7] != '\t'))
		return false;
	for (p = section + 7; *p == ' ' || *p == '\t'; p++)
		;
	if ((*p == '"' || *p == '\'') && strlen(p) == n + 2 && p[n + 1] == *p)
		return strncmp(p + 1, name, n) == 0;
	return strcmp(p, name) == 0 && strpbrk(p, " \t\"'") == NULL;
}

/* The config file's section of a profile (the last that names it), or NULL. */
static const struct aws_ini_section *
config_profile(const struct files *f, const char *name)
{
	size_t i;

	for (i = f->config.n; i > 0; i--)
		if (config_names(f->config.sections[i - 1].name, name))
			return &f->config.sections[i - 1];
	return NULL;
}

/* The config file's [services NAME] section, or NULL. */
static const struct aws_ini_section *
services_section(const struct files *f, const char *name)
{
	char *want = xasprintf("services %s", name);
	const struct aws_ini_section *s = aws_ini_section(&f->config, want);

	free(want);
	return s;
}

struct prof {
	const char *name;
	const struct aws_ini_section *cfg, *cred;
};

static bool
find_profile(const struct files *f, const char *name, struct prof *p)
{
	p->name = name;
	p->cfg = config_profile(f, name);
	p->cred = aws_ini_section(&f->creds, name);
	return p->cfg != NULL || p->cred != NULL;
}

/* A setting of the profile, the credentials file's winning (borrowed), or NULL when empty. */
static const char *
get(const struct prof *p, const char *key)
{
	const struct aws_ini_entry *en = aws_ini_entry(p->cred, key);

	if (en == NULL)
		en = aws_ini_entry(p->cfg, key);
	return en != NULL && en->value[0] != '\0' ? en->value : NULL;
}

static const char *
get_in(const struct aws_ini_section *s, const char *key)
{
	const struct aws_ini_entry *en = aws_ini_entry(s, key);

	return en != NULL && en->value[0] != '\0' ? en->value : NULL;
}

/* ---- credentials ------------------------------------------------------------------- */

void
aws_creds_done(struct aws_creds *c)
{
	if (c == NULL)
		return;
	aws_wipe_free(c->access_key_id);
	aws_wipe_free(c->secret_access_key);
	aws_wipe_free(c->session_token);
	free(c->source);
	memset(c, 0, sizeof *c);
}

void
aws_profile_done(struct aws_profile *p)
{
	if (p == NULL)
		return;
	free(p->name);
	free(p->region);
	free(p->endpoint_url);
	free(p->sts_endpoint_url);
	aws_creds_done(&p->creds);
	free(p->process);
	free(p->role_arn);
	free(p->role_session_name);
	free(p->external_id);
	memset(p, 0, sizeof *p);
}

/*
 * The keys of the environment into c: 1 found, 0 none, -1 only half of
 * them (e filled: the CLI refuses that too).
 */
static int
env_creds(const struct files *f, struct aws_creds *c, struct err *e)
{
	const char *id = env(f, "AWS_ACCESS_KEY_ID"), *secret = env(f, "AWS_SECRET_ACCESS_KEY");
	const char *token = env(f, "AWS_SESSION_TOKEN"), *exp = env(f, "AWS_CREDENTIAL_EXPIRATION");

	if (id == NULL && secret == NULL)
		return 0;
	if (id == NULL || secret == NULL)
		return err_set(e, ERR_CONFIG,
			       "aws: %s is set but %s is not — set both, or unset it to use a "
			       "profile",
			       id != NULL ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
			       id != NULL ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
	if (token == NULL)
		token = env(f, "AWS_SECURITY_TOKEN");
	c->access_key_id = xstrdup(id);
	c->secret_access_key = xstrdup(secret);
	c->session_token = xstrdup(token);
	c->expires = exp != NULL ? aws_time(exp) : 0;
	c->source = xstrdup("environment");
	return 1;
}

/* The static keys of section s into c: 1 found, 0 none, -1 half (e names the file). */
static int
static_creds(const struct aws_ini *file, const struct aws_ini_section *s, const char *profile,
	     struct aws_creds *c, struct err *e)
{
	const char *id = get_in(s, "aws_access_key_id");
	const char *secret = get_in(s, "aws_secret_access_key");

	if (id == NULL && secret == NULL)
		return 0;
	if (id == NULL || secret == NULL)
		return err_set(e, ERR_CONFIG,
			       "aws: %s:%d: profile %s has %s but no %s — add it, or remove both",
			       file->file, s->line, profile,
			       id != NULL ? "aws_access_key_id" : "aws_secret_access_key",
			       id != NULL ? "aws_secret_access_key" : "aws_access_key_id");
	c->access_key_id = xstrdup(id);
	c->secret_access_key = xstrdup(secret);
	c->session_token = xstrdup(get_in(s, "aws_session_token"));
	if (c->session_token == NULL)
		c->session_token = xstrdup(get_in(s, "aws_security_token"));
	c->source = xasprintf("profile %s", profile);
	return 1;
}

static bool
has_static(const struct prof *p)
{
	return get(p, "aws_access_key_id") != NULL || get(p, "aws_secret_access_key") != NULL;
}

/* The keys of a source profile (credentials file, then config file) into c; -1 with e. */
static int
source_keys(const struct files *f, const struct prof *src, const char *for_profile,
	    struct aws_creds *c, struct err *e)
{
	int rc = static_creds(&f->creds, src->cred, src->name, c, e);

	if (rc == 0 && get(src, "credential_process") != NULL)
		return err_set(e, ERR_CONFIG,
			       "aws: profile %s: its source_profile %s gets its keys from "
			       "credential_process — opsdeck assumes a role only from keys: put "
			       "role_arn and credential_process in one profile's process instead "
			       "(aws configure export-credentials --profile %s --format process)",
			       for_profile, src->name, for_profile);
	if (rc == 0)
		rc = static_creds(&f->config, src->cfg, src->name, c, e);
	if (rc == 0)
		return err_set(e, ERR_CONFIG,
			       "aws: profile %s: its source_profile %s has no aws_access_key_id "
			       "and aws_secret_access_key — add them there",
			       for_profile, src->name);
	return rc < 0 ? -1 : 0;
}

/*
 * The source of a role: source_profile followed until a profile with keys
 * (or without role_arn), as botocore follows it; a profile may name itself
 * to use its own keys, any other return is a loop.  A chain through
 * another role is followed to the end (so a loop in it is reported as
 * one) and then refused.  Fills out's creds.
 */
static int
role_source(const struct files *f, const struct prof *p, struct aws_profile *out, struct err *e)
{
	const char *src_name = get(p, "source_profile"), *cs = get(p, "credential_source");
	const char *seen[MAX_HOPS], *chained = NULL;
	size_t nseen = 0, i;
	struct prof src;

	if (src_name != NULL && cs != NULL)
		return err_set(e, ERR_CONFIG,
			       "aws: profile %s has both source_profile and credential_source — "
			       "keep one",
			       p->name);
	if (cs != NULL) {
		if (strcmp(cs, "Environment") != 0)
			return err_set(
				e, ERR_CONFIG,
				"aws: profile %s: credential_source %s is not something "
				"opsdeck can read (only Environment: it reads no instance or "
				"container metadata) — use source_profile",
				p->name, cs);
		switch (env_creds(f, &out->creds, e)) {
		case 1:
			return 0;
		case 0:
			return err_set(e, ERR_CONFIG,
				       "aws: profile %s: credential_source = Environment, but "
				       "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set",
				       p->name);
		default:
			return -1;
		}
	}
	if (src_name == NULL)
		return err_set(e, ERR_CONFIG,
			       "aws: profile %s has role_arn but no source_profile — add "
			       "source_profile = a profile with keys",
			       p->name);
	seen[nseen++] = p->name;
	for (;;) {
		if (!find_profile(f, src_name, &src))
			return err_set(e, ERR_CONFIG,
				       "aws: profile %s: source_profile %s does not exist",
				       seen[nseen - 1], src_name);
		if (strcmp(src_name, seen[nseen - 1]) == 0 && !has_static(&src))
			goto loop;
		for (i = 0; i + 1 < nseen; i++)
			if (strcmp(seen[i], src_name) == 0)
				goto loop;
		if (has_static(&src) || get(&src, "role_arn") == NULL) {
			if (chained != NULL)
				return err_set(
					e, ERR_CONFIG,
					"aws: profile %s: its source_profile %s assumes a role "
					"itself (role chaining) — opsdeck assumes one role: "
					"set source_profile to a profile with keys",
					p->name, chained);
			return source_keys(f, &src, p->name, &out->creds, e);
		}
		if (chained == NULL)
			chained = src.name;
		if (nseen == MAX_HOPS)
			goto loop;
		seen[nseen++] = src.name;
		src_name = get(&src, "source_profile");
		if (src_name == NULL)
			return err_set(
				e, ERR_CONFIG,
				"aws: profile %s: its source_profile %s assumes a role itself "
				"(role chaining) — opsdeck assumes one role: set source_profile "
				"to a profile with keys",
				p->name, chained);
	}
loop:
	return err_set(e, ERR_CONFIG,
		       "aws: profile %s: source_profile goes round in a loop (back to %s) — end "
		       "the chain at a profile with keys",
		       p->name, src_name);
}

static int
assume(const struct files *f, const struct prof *p, struct aws_profile *out, struct err *e)
{
	const char *dur = get(p, "duration_seconds");
	struct err pe;

	if (get(p, "mfa_serial") != NULL)
		return err_set(e, ERR_CONFIG,
			       "aws: profile %s needs an MFA code (mfa_serial) and opsdeck cannot "
			       "ask for one — use a credential_process, or export a session's keys "
			       "(aws configure export-credentials --profile %s --format env)",
			       p->name, p->name);
	out->duration_seconds = 3600;
	if (dur != NULL && parse_long(dur, 900, 43200, &out->duration_seconds, &pe) < 0)
		return err_set(e, ERR_CONFIG,
			       "aws: profile %s: duration_seconds '%s' is not 900 to 43200 seconds",
			       p->name, dur);
	if (role_source(f, p, out, e) < 0) {
		aws_creds_done(&out->creds);
		return -1;
	}
	out->kind = AWS_CREDS_ASSUME;
	out->role_arn = xstrdup(get(p, "role_arn"));
	out->role_session_name = xstrdup(get(p, "role_session_name"));
	if (out->role_session_name == NULL)
		out->role_session_name = xstrdup("opsdeck");
	out->external_id = xstrdup(get(p, "external_id"));
	return 0;
}

/* The credentials of profile p into out, in botocore's order (see the top). */
static int
credentials(const struct files *f, const struct prof *p, bool exists, bool explicit,
	    struct aws_profile *out, struct err *e)
{
	int rc;

	if (!explicit && (rc = env_creds(f, &out->creds, e)) != 0) {
		if (rc < 0)
			return -1;
		out->kind = AWS_CREDS_STATIC;
		return 0;
	}
	if (!exists)
		goto none;
	if (get(p, "role_arn") != NULL)
		return assume(f, p, out, e);
	if (get(p, "web_identity_token_file") != NULL)
		return err_set(e, ERR_CONFIG,
			       "aws: profile %s uses web_identity_token_file, which opsdeck cannot "
			       "use — set credential_process = aws configure export-credentials "
			       "--profile %s --format process",
			       p->name, p->name);
	if (get(p, "sso_session") != NULL || get(p, "sso_start_url") != NULL)
		return err_set(e, ERR_CONFIG,
			       "aws: profile %s signs in with IAM Identity Center (SSO), which "
			       "opsdeck cannot — add credential_process = aws configure "
			       "export-credentials --profile %s --format process (after aws sso "
			       "login)",
			       p->name, p->name);
	rc = static_creds(&f->creds, p->cred, p->name, &out->creds, e);
	if (rc == 0 && get(p, "credential_process") != NULL) {
		out->kind = AWS_CREDS_PROCESS;
		out->process = xstrdup(get(p, "credential_process"));
		return 0;
	}
	if (rc == 0)
		rc = static_creds(&f->config, p->cfg, p->name, &out->creds, e);
	if (rc < 0)
		return -1;
	if (rc > 0) {
		out->kind = AWS_CREDS_STATIC;
		return 0;
	}
none:
	out->kind = AWS_CREDS_NONE;
	err_set(e, ERR_CONFIG,
		"aws: no credentials for profile %s: looked at %s%s [%s%s] and %s [%s] "
		"(aws_access_key_id, credential_process, role_arn) — run aws configure%s",
		p->name, explicit ? "" : "AWS_ACCESS_KEY_ID, ", f->config.file,
		strcmp(p->name, "default") == 0 ? "" : "profile ", p->name, f->creds.file, p->name,
		explicit ? "" : " or set [ecs] profile");
	return 0;
}

/* ---- region and endpoints ----------------------------------------------------------- */

/*
 * botocore's order for a service's endpoint: the service's variable, the
 * global one, the profile's services section, the profile's endpoint_url.
 */
static int
endpoint(const struct files *f, const struct prof *p, const char *service, char **out,
	 struct err *e)
{
	char var[48], sub[48];
	const char *v, *sname;
	const struct aws_ini_section *svc;

	snprintf(var, sizeof var, "AWS_ENDPOINT_URL_%s", service);
	for (char *c = var; *c != '\0'; c++)
		if (*c >= 'a' && *c <= 'z')
			*c = (char)(*c - 'a' + 'A');
	v = env(f, var);
	if (v == NULL)
		v = env(f, "AWS_ENDPOINT_URL");
	sname = get(p, "services");
	if (v == NULL && sname != NULL) {
		svc = services_section(f, sname);
		if (svc == NULL)
			return err_set(
				e, ERR_CONFIG,
				"aws: profile %s: services = %s, but %s has no [services %s] "
				"section",
				p->name, sname, f->config.file, sname);
		snprintf(sub, sizeof sub, "%s.endpoint_url", service);
		v = get_in(svc, sub);
	}
	if (v == NULL)
		v = get(p, "endpoint_url");
	*out = xstrdup(v);
	return 0;
}

/* new: path with a leading "~/" made home's. */
static char *
expand(const char *path, const char *home)
{
	if (home != NULL && (strcmp(path, "~") == 0 || strncmp(path, "~/", 2) == 0))
		return xasprintf("%s%s", home, path + 1);
	return xstrdup(path);
}

static int
load(struct files *f, const char *home, struct err *e)
{
	const char *cfg = env(f, "AWS_CONFIG_FILE"), *cred = env(f, "AWS_SHARED_CREDENTIALS_FILE");
	char *path;
	int rc;

	path = cfg != NULL ? expand(cfg, home) : xasprintf("%s/.aws/config", home);
	rc = aws_ini_load(path, &f->config, e);
	free(path);
	if (rc < 0)
		return -1;
	path = cred != NULL ? expand(cred, home) : xasprintf("%s/.aws/credentials", home);
	rc = aws_ini_load(path, &f->creds, e);
	free(path);
	return rc;
}

int
aws_profile_resolve(const char *profile, const char *region_override,
		    char *(*getenv_fn)(const char *), const char *home, struct aws_profile *out,
		    struct err *e)
{
	struct files f;
	struct prof p;
	bool explicit = profile != NULL && *profile != '\0', exists;
	const char *name, *region, *ignore;
	int rc = -1;

	memset(out, 0, sizeof *out);
	memset(&f, 0, sizeof f);
	err_clear(e);
	f.getenv_fn = getenv_fn != NULL ? getenv_fn : getenv;
	if (home == NULL)
		home = env(&f, "HOME");
	if (home == NULL)
		home = "";
	if (load(&f, home, e) < 0)
		goto done;
	name = explicit ? profile : env(&f, "AWS_PROFILE");
	if (name == NULL)
		name = env(&f, "AWS_DEFAULT_PROFILE");
	if (name == NULL)
		name = "default";
	exists = find_profile(&f, name, &p);
	if (!exists && strcmp(name, "default") != 0) {
		err_set(e, ERR_CONFIG,
			"aws: profile %s not found: neither [profile %s] in %s nor [%s] in %s — "
			"check %s",
			name, name, f.config.file, name, f.creds.file,
			explicit ? "[ecs] profile" : "AWS_PROFILE");
		goto done;
	}
	out->name = xstrdup(name);
	region = region_override != NULL && *region_override != '\0' ? region_override : NULL;
	if (region == NULL)
		region = env(&f, "AWS_REGION");
	if (region == NULL)
		region = env(&f, "AWS_DEFAULT_REGION");
	if (region == NULL && exists)
		region = get(&p, "region");
	out->region = xstrdup(region);
	ignore = env(&f, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
	if (ignore == NULL && exists)
		ignore = get(&p, "ignore_configured_endpoint_urls");
	if (!aws_true(ignore) && exists &&
	    (endpoint(&f, &p, "ecs", &out->endpoint_url, e) < 0 ||
	     endpoint(&f, &p, "sts", &out->sts_endpoint_url, e) < 0))
		goto done;
	if (!aws_true(ignore) && !exists) {
		out->endpoint_url = xstrdup(env(&f, "AWS_ENDPOINT_URL_ECS"));
		if (out->endpoint_url == NULL)
			out->endpoint_url = xstrdup(env(&f, "AWS_ENDPOINT_URL"));
		out->sts_endpoint_url = xstrdup(env(&f, "AWS_ENDPOINT_URL_STS"));
		if (out->sts_endpoint_url == NULL)
			out->sts_endpoint_url = xstrdup(env(&f, "AWS_ENDPOINT_URL"));
	}
	rc = credentials(&f, &p, exists, explicit, out, e);
done:
	if (rc < 0)
		aws_profile_done(out);
	aws_ini_done(&f.config);
	aws_ini_done(&f.creds);
	return rc;
}
