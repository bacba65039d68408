"""The one YAML parser the package reads its files with (configuration, the gazetteer).

libyaml's, where PyYAML was built with it (its wheels are, Lambda's arm64 included), else PyYAML's own: the
same safe subset of YAML, parsed about three times as fast for a large feeds.yaml (10,000 feeds, 1.5 MB:
1.2 s against 3.2) and eight times as fast for the gazetteer a cold start reads (3.5 ms against 31).
"""

from __future__ import annotations

from typing import Any

import yaml

SafeLoader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str) -> Any:
    return yaml.load(text, Loader=SafeLoader)  # a safe loader: libyaml's or PyYAML's
