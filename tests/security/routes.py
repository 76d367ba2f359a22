"""Every URL pattern of the portal, read from the URL resolver (never a hand-kept list).

`all_routes()` walks `get_resolver()` recursively and returns one `Route` per
pattern with its full path template and the names of its arguments; `Route.url()`
fills those arguments in. The security tests iterate over this, so a new
pattern is covered (or refused) the moment it is added to a urls.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils.regex_helper import normalize

_ROUTE_ARG = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


@dataclass(frozen=True)
class Route:
    """One URL pattern: `name` is namespaced ("invoicing:pdf"), `template` the
    path with `<name>` for every argument, `args` the argument names."""

    name: str | None
    template: str
    args: tuple[str, ...]
    callback: Callable

    @property
    def view(self) -> str:
        callback = getattr(self.callback, "cls", None) or getattr(self.callback, "view_class", None) or self.callback
        return f"{callback.__module__}.{getattr(callback, '__qualname__', callback.__class__.__name__)}"

    @property
    def key(self) -> str:
        """What allow-lists and tables use: the URL name, or the template when there is none."""
        return self.name or self.template

    def url(self, values: Mapping[str, object] | None = None, default: object = "x") -> str:
        values = values or {}
        path = self.template
        for arg in self.args:
            path = path.replace(f"<{arg}>", str(values.get(arg, default)), 1)
        return path

    def __str__(self) -> str:
        return f"{self.key} ({self.template})"


def _piece(pattern) -> tuple[str, list[str]]:
    """A pattern piece as a template with `<name>` placeholders."""
    if isinstance(pattern, RoutePattern):
        route = str(pattern._route)
        names = [m.group("name") for m in _ROUTE_ARG.finditer(route)]
        return _ROUTE_ARG.sub(lambda m: f"<{m.group('name')}>", route), names
    if isinstance(pattern, RegexPattern):
        # The same normalisation reverse() uses: the first (simplest) possibility.
        template, params = normalize(pattern._regex)[0]
        return re.sub(r"%\((\w+)\)s", r"<\1>", template).replace("%%", "%"), list(params)
    raise TypeError(f"Onbekend soort URL-patroon: {pattern!r}")  # pragma: no cover


def _walk(resolver: URLResolver, prefix: str, args: list[str], namespace: str | None) -> Iterator[Route]:
    for entry in resolver.url_patterns:
        piece, names = _piece(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry, prefix + piece, args + names, ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield Route(name=name, template="/" + prefix + piece, args=tuple(args + names), callback=entry.callback)


def all_routes() -> list[Route]:
    return list(_walk(get_resolver(), "", [], None))
