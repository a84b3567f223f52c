"""Preview and hand redaction: page images, boxes, edits (`layout`, `render`, `edits`, `views`)."""
