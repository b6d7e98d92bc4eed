"""The error pages."""

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception) if exception is not None and exception.args else ""
    return render(request, "errors/403.html", {"message": message}, status=403)


def error_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/400.html", status=400)


def error_500(request: HttpRequest) -> HttpResponse:
    # No request context: the error may come from the database the context processors need.
    return HttpResponseServerError(loader.get_template("errors/500.html").render({}))
