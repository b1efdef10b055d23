"""The reference's Python samples, as printed: a raw multipart string with CRLF line ends and the
boundary ----WebKitFormBoundary7MA4YWxkTrZu0gW in the sample's own Content-Type header.

Reads {"library": "requests" | "http.client", "method", "url", "headers", "payload" | null} as JSON
on stdin and prints {"status", "body"} as JSON.
"""
import http.client
import json
import sys
import urllib.parse

sample = json.load(sys.stdin)
method, url, headers, payload = sample["method"], sample["url"], sample["headers"], sample["payload"]

if sample["library"] == "requests":
    import requests

    response = requests.request(method, url, data=payload, headers=headers)
    print(json.dumps({"status": response.status_code, "body": response.text}))
else:
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port)
    path = parts.path + ("?" + parts.query if parts.query else "")
    conn.request(method, path, payload, headers)
    response = conn.getresponse()
    print(json.dumps({"status": response.status, "body": response.read().decode("utf-8")}))
