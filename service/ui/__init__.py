"""The review desk: server-rendered pages at /ui over the same domain services as the API."""
