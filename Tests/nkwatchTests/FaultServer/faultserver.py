#!/usr/bin/env python3
"""A web server for nkwatch's fetch tests that misbehaves on purpose.

Serves ROOT (directory listings as HTML links, files with Range support) on
127.0.0.1, prints "PORT <n>" once listening, and injects faults chosen per
file from a fault plan: a JSON object mapping a file name to the faults of its
successive requests, e.g. {"updates.20141222.1615.gz": ["drop", "503", "ok"]}.
Requests past the end of a file's list are served normally. Faults:

  ok        serve normally
  503       answer 503 Service Unavailable
  500       answer 500 Internal Server Error
  drop      send the headers and about half the body, then close the connection
  short     announce the whole length, send a third of it, close
  stall     send the headers and a quarter of the body, then send nothing for 30 s
  norange   ignore Range (answer 200 with the whole file), then drop mid-body
  slow      send the body in 1 KiB pieces 0.2 s apart (never idle for long)
  404       answer 404 even though the file exists
  redirect  answer 302 to the same path with "?moved" added, with a body of its own

Listings can fail too: the plan key "LISTING:<path>" applies to a directory.
Every request is appended to the log file (method, path, range, fault, status).
"""
import http.server, json, os, signal, socketserver, sys, threading, time, urllib.parse

# Started from a test runner's worker thread, the process may inherit a mask
# that blocks SIGTERM: unblock everything so that stopping it works.
signal.pthread_sigmask(signal.SIG_SETMASK, [])

ROOT = sys.argv[1]
PLAN = json.load(open(sys.argv[2])) if len(sys.argv) > 2 and sys.argv[2] != "-" else {}
LOG = sys.argv[3] if len(sys.argv) > 3 else None
counts = {}
lock = threading.Lock()


def next_fault(key):
    with lock:
        n = counts.get(key, 0)
        counts[key] = n + 1
    faults = PLAN.get(key, [])
    return faults[n] if n < len(faults) else "ok"


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def record(self, fault, status, rng):
        if LOG:
            with lock, open(LOG, "a") as f:
                f.write(json.dumps({"path": self.path, "range": rng, "fault": fault, "status": status}) + "\n")

    def simple(self, status, text, content_type="text/plain", headers=()):
        body = text.encode()
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        path = urllib.parse.unquote(urllib.parse.urlparse(self.path).path)
        local = os.path.normpath(os.path.join(ROOT, path.lstrip("/")))
        rng = self.headers.get("Range")
        if not local.startswith(os.path.normpath(ROOT)) or not os.path.exists(local):
            self.record("missing", 404, rng)
            return self.simple(404, "not found")
        if os.path.isdir(local):
            fault = next_fault("LISTING:" + path)
            if fault in ("503", "500"):
                self.record(fault, int(fault), rng)
                return self.simple(int(fault), "try later")
            names = sorted(os.listdir(local))
            links = "".join('<a href="%s%s">%s</a>\n' % (n, "/" if os.path.isdir(os.path.join(local, n)) else "", n) for n in names)
            self.record(fault, 200, rng)
            return self.simple(200, "<html><body><h1>Index of %s</h1><pre><a href=\"../\">../</a>\n%s</pre></body></html>" % (path, links), "text/html")
        data = open(local, "rb").read()
        fault = next_fault(os.path.basename(local))
        if fault in ("503", "500", "404"):
            self.record(fault, int(fault), rng)
            return self.simple(int(fault), "fault")
        if fault == "redirect":
            self.record(fault, 302, rng)
            return self.simple(302, "moved: this body is not the file\n", headers=[("Location", urllib.parse.urlparse(self.path).path + "?moved")])
        start = 0
        if rng and fault != "norange" and rng.startswith("bytes="):
            start = int(rng[6:].split("-")[0])
        if start >= len(data) and len(data) > 0:
            self.send_response(416)
            self.send_header("Content-Range", "bytes */%d" % len(data))
            self.send_header("Content-Length", "0")
            self.end_headers()
            self.record(fault, 416, rng)
            return
        body = data[start:]
        status = 206 if start > 0 else 200
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Last-Modified", "Mon, 22 Dec 2014 16:30:00 GMT")
        if status == 206:
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, len(data) - 1, len(data)))
        else:
            self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        self.record(fault, status, rng)
        try:
            if fault in ("drop", "norange"):
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(2)
            elif fault == "short":
                self.wfile.write(body[: len(body) // 3])
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(2)
            elif fault == "stall":
                self.wfile.write(body[: len(body) // 4])
                self.wfile.flush()
                time.sleep(30)
                self.close_connection = True
            elif fault == "slow":
                for i in range(0, len(body), 1024):
                    self.wfile.write(body[i:i + 1024])
                    self.wfile.flush()
                    time.sleep(0.2)
            else:
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError, OSError):
            self.close_connection = True


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


if __name__ == "__main__":
    server = Server(("127.0.0.1", 0), Handler)
    print("PORT %d" % server.server_address[1], flush=True)
    server.serve_forever()
