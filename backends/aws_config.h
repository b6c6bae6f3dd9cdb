/*
 * aws_config.h - the AWS CLI's shared files (~/.aws/config and
 * ~/.aws/credentials) and how it resolves a profile's region and
 * credentials, without running anything: the caller runs a
 * credential_process and calls STS (pure request and response here).
 *
 * Resolution as the AWS CLI (botocore's provider chain): profile = [ecs]
 * profile (then it counts as named explicitly), else AWS_PROFILE, else
 * "default"; region = [ecs] region, else AWS_REGION, else
 * AWS_DEFAULT_REGION, else the profile's region; credentials = the
 * environment (AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY [+
 * AWS_SESSION_TOKEN]) unless the profile was named explicitly (AWS_PROFILE
 * does not count: environment keys beat it, as in the CLI), else the
 * profile's role_arn (with source_profile, whose own keys are used even
 * when it names itself, or credential_source = Environment; then STS
 * AssumeRole), else its static keys in the credentials file, else its
 * credential_process, else its static keys in the config file.  A role
 * whose source profile assumes a role itself (chaining), mfa_serial, SSO
 * and web-identity profiles are refused with what to use instead.
 * endpoint_url: AWS_ENDPOINT_URL_ECS, else AWS_ENDPOINT_URL, else the
 * profile's services section's "ecs = / endpoint_url", else the
 * profile's endpoint_url (the same for STS with _STS and "sts"); none at
 * all when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS or
 * ignore_configured_endpoint_urls is true.  Files: AWS_CONFIG_FILE and
 * AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/config and ~/.aws/credentials
 * (a missing file is an empty one); in the config file a profile is
 * "[profile NAME]" (and "[default]"), in the credentials file "[NAME]",
 * whose keys win over the config file's.  Lines of any length (session
 * tokens are long).  Secrets never appear in an error message.
 */
#ifndef OPSDECK_BACKENDS_AWS_CONFIG_H
#define OPSDECK_BACKENDS_AWS_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

/* Temporary or static credentials.  Owned strings; secrets wiped by aws_creds_done. */
struct aws_creds {
	char *access_key_id;
	char *secret_access_key; /* secret */
	char *session_token;     /* secret; NULL none */
	double expires;          /* unix seconds; 0 = never */
	char *source;            /* "environment", "profile dev", "credential_process", "assume-role ..." */
};
void aws_creds_done(struct aws_creds *c);

/* How the credentials of a profile are to be had. */
enum aws_creds_kind {
	AWS_CREDS_NONE,     /* nothing found: resolve returns 0, e says what was looked at */
	AWS_CREDS_STATIC,   /* creds filled (environment or profile keys) */
	AWS_CREDS_PROCESS,  /* run process (a command line, as the CLI runs it: through sh -c) */
	AWS_CREDS_ASSUME,   /* role_arn with the source profile's static creds (filled), then STS */
};

struct aws_profile {
	char *name;
	char *region;            /* resolved; NULL when none anywhere */
	char *endpoint_url;      /* the profile's endpoint_url (testing, VPC endpoints); NULL none */
	char *sts_endpoint_url;  /* for AssumeRole; NULL = https://sts.REGION.amazonaws.com */
	enum aws_creds_kind kind;
	struct aws_creds creds;  /* STATIC: the keys; ASSUME: the source profile's keys */
	char *process;           /* PROCESS: the command line */
	char *role_arn, *role_session_name, *external_id; /* ASSUME */
	long duration_seconds;   /* ASSUME: 3600 default */
};
void aws_profile_done(struct aws_profile *p);

/*
 * Resolve.  getenv_fn reads the environment (tests pass their own); home for
 * ~; profile NULL = AWS_PROFILE or "default"; region_override NULL = none.
 * Fails (ERR_CONFIG) on a named profile that does not exist, a role_arn
 * without source_profile, a source_profile loop, a malformed file (with
 * file and line), an unreadable file; out is then zeroed.  On success out
 * is filled (aws_profile_done frees it) and e is ERR_OK, except for
 * AWS_CREDS_NONE (see above).
 */
int aws_profile_resolve(const char *profile, const char *region_override,
			char *(*getenv_fn)(const char *), const char *home, struct aws_profile *out,
			struct err *e);

/*
 * credential_process output (Version 1): {"Version": 1, "AccessKeyId",
 * "SecretAccessKey", "SessionToken", "Expiration": "2026-11-22T10:00:00Z"}
 * (SessionToken and Expiration optional).  source = "credential_process".
 * On failure out is zeroed and the message never quotes the output.
 */
int aws_parse_process_output(const char *json, size_t len, struct aws_creds *out, struct err *e);

/*
 * STS AssumeRole (query protocol, POST / form body, signed with SigV4 for
 * service "sts"): the form body (new), and the XML answer's Credentials
 * parsed (libxml2).  An error answer (<ErrorResponse><Error><Code>..) is
 * reported as "sts: AccessDenied: ...".  The creds' source is
 * "assume-role <the assumed role's ARN>".  session_name NULL = "opsdeck",
 * duration_seconds <= 0 = 3600.
 */
char *aws_assume_role_body(const char *role_arn, const char *session_name,
			   const char *external_id, long duration_seconds);
int aws_parse_assume_role(long status, const char *body, size_t len, struct aws_creds *out,
			  struct err *e);

#endif
