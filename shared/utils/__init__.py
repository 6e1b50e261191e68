"""Cross-cutting helpers (atomic files, data helpers, GPU probes)."""
