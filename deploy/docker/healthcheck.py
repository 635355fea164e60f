"""Container healthcheck: GET a health path of the service in this container; exit 0 when it is 200.

Standard library only and no imports of the service, so a check costs milliseconds every interval.
The port comes from ``<SERVICE>_HTTP_PORT`` (the service's own setting), the path from argv.
"""

import os
import sys
import urllib.error
import urllib.request

DEFAULT_PATH = "/health/ready"
TIMEOUT_S = 2.0


def probe_url(environ: dict[str, str], path: str) -> str:
    """The URL of the health endpoint of the service this image runs."""
    service = environ.get("CERCHIA_SERVICE", "")
    # pydantic-settings matches variable names case-insensitively; so does this lookup.
    wanted = f"{service}_HTTP_PORT".upper()
    port = next((value for name, value in environ.items() if name.upper() == wanted), "8000")
    return f"http://127.0.0.1:{int(port)}{path}"


def main(argv: list[str]) -> int:
    """Probe once; 0 when healthy, 1 otherwise (Docker's healthcheck convention)."""
    url = probe_url(dict(os.environ), argv[1] if len(argv) > 1 else DEFAULT_PATH)
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response:  # noqa: S310 - fixed http URL
            return 0 if response.status == 200 else 1
    except (urllib.error.URLError, OSError, ValueError):
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
