"""The library's operations: each takes a Workspace, does one thing, returns plain data or raises."""
