import time

from .services import api_call_log


class ApiCallLogMiddleware:
    """Log every API call with its client and final status (after the exception handlers have
    turned errors into responses), so the log shows what the caller really got."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        started = time.perf_counter()
        response = self.get_response(request)
        client = getattr(request, "auth", None)
        api_call_log(
            client=client if getattr(client, "pk", None) else None,
            method=request.method,
            path=request.path,
            status=response.status_code,
            duration_ms=int((time.perf_counter() - started) * 1000),
            key=request.headers.get("Idempotency-Key", ""),
        )
        return response
