#!/usr/bin/env python3
"""httpd.py - a small HTTP server for tests: serves a directory on 127.0.0.1,
with Range (for resumed downloads) and If-Modified-Since. Writes its port to
the file named by --port-file, then serves until killed."""
import argparse, email.utils, os, sys
from http.server import ThreadingHTTPServer, SimpleHTTPRequestHandler

class Handler(SimpleHTTPRequestHandler):
    def log_message(self, *a):
        if os.environ.get("HTTPD_LOG"):
            with open(os.environ["HTTPD_LOG"], "a") as f:
                f.write("%s %s\n" % (self.command, self.path))

    def send_head(self):
        path = self.translate_path(self.path)
        if os.path.isdir(path) or not os.path.exists(path):
            return super().send_head()
        st = os.stat(path)
        ims = self.headers.get("If-Modified-Since")
        if ims:
            try:
                if int(st.st_mtime) <= email.utils.parsedate_to_datetime(ims).timestamp():
                    self.send_response(304)
                    self.end_headers()
                    return None
            except Exception:
                pass
        rng = self.headers.get("Range")
        f = open(path, "rb")
        size = st.st_size
        if rng and rng.startswith("bytes=") and rng.endswith("-"):
            start = int(rng[6:-1])
            if start >= size:
                f.close()
                self.send_response(416)
                self.send_header("Content-Range", "bytes */%d" % size)
                self.end_headers()
                return None
            f.seek(start)
            self.send_response(206)
            self.send_header("Content-Range", "bytes %d-%d/%d" % (start, size - 1, size))
            self.send_header("Content-Length", str(size - start))
        else:
            self.send_response(200)
            self.send_header("Content-Length", str(size))
        self.send_header("Last-Modified", self.date_time_string(st.st_mtime))
        self.end_headers()
        return f

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--port-file", required=True)
    a = ap.parse_args()
    os.chdir(a.dir)
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(a.port_file + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(a.port_file + ".tmp", a.port_file)
    srv.serve_forever()

main()
