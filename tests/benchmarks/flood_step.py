"""A step that floods the log: the worst case for a UI that must stay responsive."""

from shared import events


def flood(lines: int = 50_000) -> dict:
    batch = []
    for i in range(lines):
        batch.append(f"flood line {i:06d} " + "x" * 60)
        if len(batch) == 500:
            print("\n".join(batch), flush=True)
            batch.clear()
            events.progress(i + 1, lines, "lines")
            events.metric("lines_written", i + 1, step=i + 1)
    if batch:
        print("\n".join(batch), flush=True)
    return {"lines": lines}
