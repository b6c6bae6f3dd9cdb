/*
 * docker_endpoint.h - which Docker daemon to talk to, and how, decided as
 * the docker command decides it:
 *
 *   1. [docker] host, from --docker > DOCKER_HOST > the file (config's own
 *      precedence); an empty host means "no Docker";
 *   2. else the context named by [docker] context / DOCKER_CONTEXT, else
 *      currentContext of $DOCKER_CONFIG/config.json (~/.docker/config.json),
 *      looked up in $DOCKER_CONFIG/contexts/meta/<dir>/meta.json by its
 *      "Name" (Endpoints.docker.Host and SkipTLSVerify); its TLS files are
 *      in contexts/tls/<dir>/docker/{ca,cert,key}.pem.  The context
 *      "default" is the default socket;
 *   3. else the default socket, when it exists.
 *
 * unix:///path is used as it is; tcp://host[:port] becomes http:// (port
 * 2375), or https:// (port 2376) with TLS: [docker] tls_verify /
 * DOCKER_TLS_VERIFY for a host of the configuration, with ca.pem, cert.pem
 * and key.pem from [docker] cert_path / DOCKER_CERT_PATH (default the
 * Docker config directory), or a context's own TLS files; ssh://[user@]host
 * [:port] gives the ssh destination and port, and [docker] ssh_socket the
 * remote socket (the tunnel is ssh_tunnel's business).
 *
 * Resolution only reads files; it starts nothing and connects nowhere.
 */
#ifndef OPSDECK_TUI_DOCKER_ENDPOINT_H
#define OPSDECK_TUI_DOCKER_ENDPOINT_H

#include <stdbool.h>

#include "config.h"
#include "err.h"

#define DOCKER_DEFAULT_SOCKET "/var/run/docker.sock"

enum docker_endpoint_kind {
	DOCKER_EP_NONE, /* no Docker */
	DOCKER_EP_UNIX, /* url is unix:///path */
	DOCKER_EP_TCP,  /* url is http:// or https:// */
	DOCKER_EP_SSH,  /* ssh_dest, ssh_port, ssh_socket */
};

/* A resolved endpoint.  Every string is owned (docker_endpoint_done frees it) or NULL. */
struct docker_endpoint {
	enum docker_endpoint_kind kind;
	char *url;        /* unix:///path, http(s)://host:port; NULL for NONE and SSH */
	char *ca_file;    /* PEM CA bundle (https), or NULL for the system store */
	char *cert_file;  /* PEM client certificate (https), or NULL */
	char *key_file;   /* its PEM key, or NULL */
	bool insecure;    /* a context's SkipTLSVerify */
	char *ssh_dest;   /* "user@host" or "host" (SSH) */
	char *ssh_port;   /* "2222", or NULL for ssh's default (SSH) */
	char *ssh_socket; /* the remote daemon's socket (SSH) */
	char *context;    /* the Docker context it came from, or NULL */
	char *origin;     /* for messages: "--docker", "DOCKER_HOST", "[docker] host",
			     "context 'prod'", "the default socket" */
};

/*
 * Fill de from cfg (finalized).  getenv_fn (getenv outside tests) gives
 * HOME and DOCKER_CONFIG; default_socket is DOCKER_DEFAULT_SOCKET outside
 * tests.  Fails with ERR_CONFIG naming the file and what to do: an unknown
 * context, an unreadable or invalid config.json or meta.json, an endpoint
 * of a kind opsdeck does not speak, a TLS certificate without its key.
 * On failure de holds nothing to free.
 */
int docker_endpoint_resolve(struct docker_endpoint *de, const struct config *cfg,
			    char *(*getenv_fn)(const char *), const char *default_socket,
			    struct err *e);
/* Free what de owns and zero it.  NULL-safe. */
void docker_endpoint_done(struct docker_endpoint *de);

#endif
