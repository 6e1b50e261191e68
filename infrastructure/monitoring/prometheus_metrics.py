"""Read a service's ``/metrics`` (Prometheus text format) the way Prometheus does.

Parsing is ``prometheus_client``'s own parser, so what the lesson shows is what
a real Prometheus server would store. Two helpers do what PromQL would:
``increase`` (the change of a counter or histogram between two scrapes) and
``quantile`` (``histogram_quantile``: linear interpolation inside a bucket).
"""

from __future__ import annotations

import math
import urllib.request
from dataclasses import dataclass, field

from prometheus_client.parser import text_string_to_metric_families


@dataclass
class Histogram:
    """One histogram series summed over the label sets that matched: cumulative buckets by upper bound."""

    name: str
    buckets: dict[float, float] = field(default_factory=dict)  # le -> cumulative count
    count: float = 0.0
    total: float = 0.0

    def edges(self) -> list[float]:
        return sorted(self.buckets)

    def bin_counts(self) -> list[float]:
        """Counts per bucket (not cumulative), in bucket order; the last bin is (last finite edge, +Inf]."""
        counts, previous = [], 0.0
        for edge in self.edges():
            counts.append(self.buckets[edge] - previous)
            previous = self.buckets[edge]
        return counts

    def minus(self, earlier: Histogram) -> Histogram:
        """What was observed between two scrapes (PromQL ``increase``)."""
        return Histogram(
            self.name,
            {le: value - earlier.buckets.get(le, 0.0) for le, value in self.buckets.items()},
            self.count - earlier.count,
            self.total - earlier.total,
        )

    def bar_lines(self, unit_scale: float = 1000.0, unit: str = "ms", width: int = 30) -> list[str]:
        """The histogram as text bars, one line per bucket (empty buckets above 1 s left out)."""
        counts = self.bin_counts()
        widest = max(counts, default=0) or 1
        lines = []
        for edge, count in zip(self.edges(), counts, strict=True):
            if count == 0 and edge > 1.0:
                continue
            label = "+Inf" if math.isinf(edge) else f"≤ {edge * unit_scale:g} {unit}"
            lines.append(f"  {label:>12} {int(count):>6} {'█' * round(width * count / widest)}")
        return lines

    def quantile(self, q: float) -> float:
        """PromQL ``histogram_quantile``: NaN with no observations; the highest finite edge when it lands in +Inf."""
        if self.count <= 0:
            return math.nan
        rank, lower, below = q * self.count, 0.0, 0.0
        for edge in self.edges():
            cumulative = self.buckets[edge]
            if cumulative >= rank:
                if math.isinf(edge):
                    return lower
                inside = cumulative - below
                return lower + (edge - lower) * ((rank - below) / inside if inside else 0.0)
            lower, below = edge, cumulative
        return lower


@dataclass
class Scrape:
    """Every sample of one ``/metrics`` read, by sample name."""

    samples: list[tuple[str, dict[str, str], float]]

    @classmethod
    def parse(cls, text: str) -> Scrape:
        rows = []
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                rows.append((sample.name, dict(sample.labels), float(sample.value)))
        return cls(rows)

    def names(self) -> set[str]:
        return {name for name, _, _ in self.samples}

    def value(self, name: str, **labels: str) -> float:
        """Sum of every sample called ``name`` whose labels include ``labels`` (0 when none)."""
        return sum(v for n, lbls, v in self.samples if n == name and _matches(lbls, labels))

    def histograms(self, name: str, label: str, values: tuple[str, ...]) -> Histogram:
        """The histogram summed over several values of one label (e.g. every API endpoint)."""
        found = Histogram(name)
        for value in values:
            part = self.histogram(name, **{label: value})
            for le, count in part.buckets.items():
                found.buckets[le] = found.buckets.get(le, 0.0) + count
            found.count += part.count
            found.total += part.total
        return found

    def histogram(self, name: str, **labels: str) -> Histogram:
        """The histogram ``name`` (without the _bucket/_count/_sum suffix), summed over matching label sets."""
        found = Histogram(name)
        for sample, lbls, value in self.samples:
            if not _matches(lbls, labels):
                continue
            if sample == name + "_bucket":
                le = float(lbls["le"])
                found.buckets[le] = found.buckets.get(le, 0.0) + value
            elif sample == name + "_count":
                found.count += value
            elif sample == name + "_sum":
                found.total += value
        return found


def _matches(labels: dict[str, str], wanted: dict[str, str]) -> bool:
    return all(labels.get(key) == value for key, value in wanted.items())


def scrape(base_url: str, timeout_s: float = 5.0) -> Scrape:
    with urllib.request.urlopen(base_url.rstrip("/") + "/metrics", timeout=timeout_s) as response:
        return Scrape.parse(response.read().decode("utf-8"))
