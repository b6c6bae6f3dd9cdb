/*
 * aws_sts.c - the two ways to temporary credentials that need a running
 * program or a request (see aws_config.h): a credential_process's output
 * and STS AssumeRole's form body and XML answer.
 *
 * The XML is read with libxml2 without network access (XML_PARSE_NONET)
 * and without substituting entities (no XML_PARSE_NOENT, no DTD loading),
 * so an answer cannot make the parser fetch or expand anything.  The
 * Credentials element is looked up by local name inside AssumeRoleResult,
 * whatever namespace prefix the answer uses.  Neither the output of a
 * process nor a 2xx answer is ever quoted in a message: both hold secrets.
 */
#include "aws_config.h"
#include "aws_internal.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "buf.h"
#include "http.h"
#include "xalloc.h"

/* ---- credential_process ------------------------------------------------------------- */

/* new: a non-empty string member, else NULL */
static char *
nonempty(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL && *s != '\0' ? xstrdup(s) : NULL;
}

int
aws_parse_process_output(const char *json, size_t len, struct aws_creds *out, struct err *e)
{
	json_t *root, *v, *exp;
	int rc = -1;

	memset(out, 0, sizeof *out);
	root = json != NULL && len > 0 ? json_loadb(json, len, 0, NULL) : NULL;
	if (!json_is_object(root)) {
		json_decref(root);
		if (json == NULL || len == 0)
			return err_set(e, ERR_AUTH,
				       "aws: the credential_process printed nothing — run it by "
				       "hand to see why");
		return err_set(e, ERR_AUTH,
			       "aws: the credential_process's output is not a JSON object — run "
			       "it by hand to see why");
	}
	v = json_object_get(root, "Version");
	if (!json_is_integer(v) || json_integer_value(v) != 1) {
		if (json_is_integer(v))
			err_set(e, ERR_AUTH,
				"aws: the credential_process printed Version %lld; opsdeck reads "
				"Version 1",
				(long long)json_integer_value(v));
		else
			err_set(e, ERR_AUTH,
				"aws: the credential_process's output has no \"Version\": 1 — it "
				"is not a credential_process");
		goto done;
	}
	out->access_key_id = nonempty(root, "AccessKeyId");
	out->secret_access_key = nonempty(root, "SecretAccessKey");
	if (out->access_key_id == NULL || out->secret_access_key == NULL) {
		err_set(e, ERR_AUTH, "aws: the credential_process's output has no %s",
			out->access_key_id == NULL ? "AccessKeyId" : "SecretAccessKey");
		goto done;
	}
	out->session_token = nonempty(root, "SessionToken");
	exp = json_object_get(root, "Expiration");
	if (exp != NULL && !json_is_null(exp)) {
		out->expires = aws_time(json_string_value(exp));
		if (out->expires <= 0) {
			err_set(e, ERR_AUTH,
				"aws: the credential_process's Expiration is not an ISO 8601 time "
				"(2026-11-22T10:00:00Z)");
			goto done;
		}
	}
	out->source = xstrdup("credential_process");
	rc = 0;
done:
	if (rc < 0)
		aws_creds_done(out);
	json_decref(root);
	return rc;
}

/* ---- AssumeRole --------------------------------------------------------------------- */

/* Append s percent-encoded as SigV4 wants a query value (RFC 3986 unreserved kept). */
static void
put_encoded(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (isalnum(*p) || *p == '-' || *p == '_' || *p == '.' || *p == '~') {
			buf_putc(b, (char)*p);
		} else {
			buf_putc(b, '%');
			buf_putc(b, hex[*p >> 4]);
			buf_putc(b, hex[*p & 15]);
		}
	}
}

char *
aws_assume_role_body(const char *role_arn, const char *session_name, const char *external_id,
		     long duration_seconds)
{
	struct buf b;

	buf_init(&b);
	buf_puts(&b, "Action=AssumeRole&Version=2011-06-15&RoleArn=");
	put_encoded(&b, role_arn != NULL ? role_arn : "");
	buf_puts(&b, "&RoleSessionName=");
	put_encoded(&b, session_name != NULL && *session_name != '\0' ? session_name : "opsdeck");
	buf_printf(&b, "&DurationSeconds=%ld", duration_seconds > 0 ? duration_seconds : 3600);
	if (external_id != NULL && *external_id != '\0') {
		buf_puts(&b, "&ExternalId=");
		put_encoded(&b, external_id);
	}
	return buf_steal(&b);
}

static bool
named(const xmlNode *n, const char *name)
{
	return n != NULL && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

/* The first element child of n named name (borrowed), or NULL. */
static xmlNode *
child(const xmlNode *n, const char *name)
{
	xmlNode *c;

	for (c = n != NULL ? n->children : NULL; c != NULL; c = c->next)
		if (named(c, name))
			return c;
	return NULL;
}

/* The first element named name at or below n, depth first (borrowed), or NULL. */
static xmlNode *
find(xmlNode *n, const char *name, int depth)
{
	xmlNode *c, *hit;

	if (n == NULL || depth > 8)
		return NULL;
	if (named(n, name))
		return n;
	for (c = n->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE && (hit = find(c, name, depth + 1)) != NULL)
			return hit;
	return NULL;
}

/* new: the trimmed text of element name under n, NULL when absent or empty. */
static char *
text(const xmlNode *n, const char *name)
{
	xmlNode *c = child(n, name);
	xmlChar *t;
	char *out = NULL;
	size_t len;
	const char *s;

	if (c == NULL)
		return NULL;
	t = xmlNodeGetContent(c);
	if (t == NULL)
		return NULL;
	s = (const char *)t;
	while (isspace((unsigned char)*s))
		s++;
	len = strlen(s);
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	if (len > 0)
		out = xstrndup(s, len);
	explicit_bzero(t, strlen((char *)t));
	xmlFree(t);
	return out;
}

struct sts_advice {
	const char *code;
	enum err_code err;
	const char *tip;
};

static const struct sts_advice sts_advices[] = {
	{ "AccessDenied", ERR_AUTH,
	  "the role's trust policy must allow the source credentials, and their IAM policy "
	  "sts:AssumeRole on the role" },
	{ "ExpiredToken", ERR_AUTH,
	  "the source credentials' session token has expired: renew them" },
	{ "InvalidClientTokenId", ERR_AUTH,
	  "the source profile's access key is not known to AWS: check its keys" },
	{ "SignatureDoesNotMatch", ERR_AUTH,
	  "the source profile's secret key does not match its access key" },
	{ "RegionDisabledException", ERR_AUTH,
	  "STS is not activated in this region: activate it in IAM (Account settings) or use "
	  "another region" },
	{ "ValidationError", ERR_CONFIG, "check role_arn, role_session_name and duration_seconds" },
	{ "Throttling", ERR_BACKEND, "STS is throttling: retried later" },
};

/* The error of an ErrorResponse (root), or -1 with "sts: HTTP ..." when it is none. */
static int
sts_error(long status, const xmlNode *root, const char *body, size_t len, struct err *e)
{
	xmlNode *er = named(root, "ErrorResponse") ? child(root, "Error") : NULL;
	char *code, *msg, snip[80];
	const char *tip = NULL;
	enum err_code ec = status == 401 || status == 403 ? ERR_AUTH : ERR_BACKEND;
	size_t i;

	if (er == NULL && named(root, "Error"))
		er = (xmlNode *)root;
	code = text(er, "Code");
	if (code == NULL) {
		if (status <= 0)
			return err_set(e, ERR_HTTP,
				       "sts: no answer — check the STS endpoint (sts_endpoint_url) "
				       "is reachable");
		http_body_excerpt(body, len, 60, 0, snip, sizeof snip);
		return err_set(e, ec == ERR_AUTH ? ERR_AUTH : ERR_HTTP,
			       "sts: HTTP %ld%s (body starts with '%s') — check the STS endpoint",
			       status, http_status_reason(status), snip);
	}
	msg = text(er, "Message");
	for (i = 0; i < sizeof sts_advices / sizeof sts_advices[0]; i++)
		if (strcmp(sts_advices[i].code, code) == 0) {
			ec = sts_advices[i].err;
			tip = sts_advices[i].tip;
		}
	if (tip != NULL)
		err_set(e, ec, "sts: %s: %.300s — %s", code, msg != NULL ? msg : "(no message)",
			tip);
	else
		err_set(e, ec, "sts: %s: %.300s", code, msg != NULL ? msg : "(no message)");
	free(code);
	free(msg);
	return -1;
}

int
aws_parse_assume_role(long status, const char *body, size_t len, struct aws_creds *out,
		      struct err *e)
{
	xmlDoc *doc = NULL;
	xmlNode *root = NULL, *result, *cr;
	char *exp = NULL, *arn = NULL;
	int rc = -1;

	memset(out, 0, sizeof *out);
	if (body == NULL)
		len = 0;
	if (len > 0 && len < INT_MAX)
		doc = xmlReadMemory(body, (int)len, NULL, NULL,
				    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc != NULL)
		root = xmlDocGetRootElement(doc);
	if (status < 200 || status > 299) {
		sts_error(status, root, body, len, e);
		goto done;
	}
	if (root == NULL) {
		err_set(e, ERR_PARSE,
			"sts: HTTP %ld with an answer that is not XML — check the STS endpoint",
			status);
		goto done;
	}
	if (named(root, "ErrorResponse")) {
		sts_error(status, root, body, len, e);
		goto done;
	}
	result = find(root, "AssumeRoleResult", 0);
	cr = child(result, "Credentials");
	if (cr == NULL) {
		err_set(e, ERR_PARSE,
			"sts: the AssumeRole answer has no AssumeRoleResult/Credentials — check "
			"the "
			"STS endpoint");
		goto done;
	}
	out->access_key_id = text(cr, "AccessKeyId");
	out->secret_access_key = text(cr, "SecretAccessKey");
	out->session_token = text(cr, "SessionToken");
	if (out->access_key_id == NULL || out->secret_access_key == NULL ||
	    out->session_token == NULL) {
		err_set(e, ERR_PARSE, "sts: the AssumeRole answer's Credentials have no %s",
			out->access_key_id == NULL       ? "AccessKeyId"
			: out->secret_access_key == NULL ? "SecretAccessKey"
							 : "SessionToken");
		goto done;
	}
	exp = text(cr, "Expiration");
	out->expires = aws_time(exp);
	if (out->expires <= 0) {
		err_set(e, ERR_PARSE,
			"sts: the AssumeRole answer's Expiration is %s an ISO 8601 time",
			exp == NULL ? "absent, not" : "not");
		goto done;
	}
	arn = text(child(result, "AssumedRoleUser"), "Arn");
	out->source = arn != NULL ? xasprintf("assume-role %s", arn) : xstrdup("assume-role");
	rc = 0;
done:
	if (rc < 0)
		aws_creds_done(out);
	free(exp);
	free(arn);
	xmlFreeDoc(doc);
	return rc;
}
