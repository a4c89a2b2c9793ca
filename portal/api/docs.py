"""The API's documentation page: the OpenAPI document read as a page of the portal
(server-rendered, no script from elsewhere, so the Content Security Policy holds)."""

from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from .rest import api

METHODS = ("get", "post", "put", "patch", "delete")


def _operations(schema):
    for path, operations in schema["paths"].items():
        for method in METHODS:
            operation = operations.get(method)
            if operation is None:
                continue
            parameters = [
                {"name": p["name"], "where": p["in"], "required": p.get("required", False),
                 "description": p.get("description") or p.get("schema", {}).get("description", "")}
                for p in operation.get("parameters", [])
            ]  # fmt: skip
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
            yield {
                "method": method.upper(),
                "path": path,
                "summary": operation.get("summary", ""),
                "description": operation.get("description", ""),
                "tag": (operation.get("tags") or [""])[0],
                "parameters": parameters,
                "body": body.get("$ref", "").rsplit("/", 1)[-1],
                "statuses": sorted(operation.get("responses", {})),
            }


@require_safe
def docs(request):
    schema = api.get_openapi_schema(path_prefix=reverse("api:api-root"))
    return render(
        request,
        "api/docs.html",
        {
            "operations": list(_operations(schema)),
            "schemas": schema.get("components", {}).get("schemas", {}),
            "openapi_url": reverse("api:openapi-json"),
        },
    )
