"""The HTTP edge: routes, parsing, authorization and the response envelope."""
