"""An ordinary Python client: posts a hand-written multipart string with urllib.

Reads one request as JSON on stdin: {"method", "url", "headers", "fields": [[name, value], ...] | null}
and prints {"status", "body"} as JSON.
"""
import json
import sys
import urllib.error
import urllib.request

request = json.load(sys.stdin)
headers = dict(request["headers"])
data = None
if request["fields"] is not None:
    boundary = "----PythonRawBoundary1234567890"
    body = ""
    for name, value in request["fields"]:
        body += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
    body += f"--{boundary}--\r\n"
    data = body.encode("utf-8")
    headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"

req = urllib.request.Request(request["url"], data=data, headers=headers, method=request["method"])
try:
    with urllib.request.urlopen(req) as response:
        status, text = response.status, response.read().decode("utf-8")
except urllib.error.HTTPError as error:
    status, text = error.code, error.read().decode("utf-8")
print(json.dumps({"status": status, "body": text}))
