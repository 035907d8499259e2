"""A minimal Open311 GeoReport v2 client, as an integrator would write it: Python's standard library only.

Posts one service request to a Công Vụ installation and reads it back, printing the request as the
server answers it (JSON). Nothing here is specific to Công Vụ: any GeoReport v2 server would do.

    python docs/examples/open311_client.py --base http://127.0.0.1:8000/open311/v2 --api-key KEY \\
        --service-code ha-tang --description "Đèn đường hỏng" --lat 21.028511 --long 105.804817

Get a key with ``congvu open311_key NAME``. Exit status 0 when the request was created and read back
with the same identifier, 1 otherwise (the server's error list is printed on stderr).
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid
from typing import Any


def call(method: str, url: str, form: dict[str, str] | None = None, key: str = "") -> tuple[int, Any]:
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"not an http(s) address: {url}")
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 (checked above)
    if data is not None:
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
    if key:
        request.add_header("Idempotency-Key", key)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (checked above)
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--base", required=True, help="the endpoint, e.g. http://127.0.0.1:8000/open311/v2")
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--service-code", required=True)
    parser.add_argument("--description", required=True)
    parser.add_argument("--lat")
    parser.add_argument("--long")
    parser.add_argument("--address")
    args = parser.parse_args()
    base = args.base.rstrip("/")

    status, services = call("GET", f"{base}/services.json")
    if status != 200 or args.service_code not in {s["service_code"] for s in services}:
        print(f"service {args.service_code!r} not offered (HTTP {status}): {services}", file=sys.stderr)
        return 1
    form = {"api_key": args.api_key, "service_code": args.service_code, "description": args.description}
    for field, value in (("lat", args.lat), ("long", args.long), ("address_string", args.address)):
        if value:
            form[field] = value
    key = str(uuid.uuid4())
    status, created = call("POST", f"{base}/requests.json", form, key)
    if status not in (200, 201):
        print(f"HTTP {status}: {json.dumps(created, ensure_ascii=False)}", file=sys.stderr)
        return 1
    again_status, again = call("POST", f"{base}/requests.json", form, key)  # a retry after a lost answer
    request_id = created[0]["service_request_id"]
    if again_status not in (200, 201) or again[0]["service_request_id"] != request_id:
        print(f"the retry made another request: {again}", file=sys.stderr)
        return 1
    status, shown = call("GET", f"{base}/requests/{urllib.parse.quote(request_id)}.json")
    if status != 200 or len(shown) != 1 or shown[0]["service_request_id"] != request_id:
        print(f"HTTP {status}: {json.dumps(shown, ensure_ascii=False)}", file=sys.stderr)
        return 1
    print(json.dumps(shown[0], ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
