"""Local HTTP servers speaking the documented formats of VK, OK, t.me/s and RSS, for tests
and benchmarks. Written for this project from the shapes in shared/spec/sources.md."""
