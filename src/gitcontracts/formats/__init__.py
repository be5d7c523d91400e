"""Pure formats: bytes in, values out (YAML documents, JSONL entries). No file I/O."""
