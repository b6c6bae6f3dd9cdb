#!/usr/bin/env python3
"""A Prometheus stand-in that records what reaches it (stdlib only).

    promrec.py PORT LOG

Answers the four endpoints opsdeck reads with valid, empty results and
appends one line per request to LOG: "METHOD PATH AUTHORIZATION".  The
screen tests use it to prove that a planted token really was sent, so a
check that the token never reaches the audit log is not vacuous.
"""
import http.server
import json
import sys

PORT = int(sys.argv[1])
LOG = open(sys.argv[2], "a", encoding="utf-8")


def data_for(path):
    if path.startswith("/api/v1/query_range"):
        return {"resultType": "matrix", "result": []}
    if path.startswith("/api/v1/query"):
        return {"resultType": "vector", "result": []}
    if path.startswith("/api/v1/alerts"):
        return {"alerts": []}
    if path.startswith("/api/v1/targets"):
        return {"activeTargets": [], "droppedTargets": []}
    return {}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            self.rfile.read(n)
        LOG.write("%s %s %s\n" % (self.command, self.path, self.headers.get("Authorization") or "-"))
        LOG.flush()
        body = json.dumps({"status": "success", "data": data_for(self.path)}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = answer
    do_POST = answer

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
