"""The lessons validator against a real kernel with real torch (CPU)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nnlearn.lesson_checker import check_lessons

session_module = pytest.importorskip("nnlearn.kernel.session")
if not hasattr(session_module, "KernelSession"):
    pytest.skip("KernelSession is not implemented yet", allow_module_level=True)

pytestmark = pytest.mark.kernel

GOOD = Path(__file__).parent / "fixtures" / "good"

TORCH_LESSON = """---
id: torch-good
title: Linear
summary: Shapes of nn.Linear.
---

## Shapes

```python example
import torch
from torch import nn
layer = nn.Linear(3, 2)
print(tuple(layer.weight.shape), tuple(layer.bias.shape))
print(sum(p.numel() for p in layer.parameters()))
```

```output
(2, 3) (2,)
8
```

```python example raises=AttributeError
from torch import nn
class Broken(nn.Module):
    def __init__(self):
        self.layer = nn.Linear(1, 1)
        super().__init__()
Broken()
```

## Build one

```python starter
from torch import nn
layer = None
```

```python solution
from torch import nn
layer = nn.Linear(4, 1)
```

```python check
from torch import nn
assert isinstance(layer, nn.Linear), "layer should be an nn.Linear"
assert layer.in_features == 4, "layer should take 4 features"
```

```hint
nn.Linear(in_features, out_features)
```
"""

BAD_TORCH_LESSON = """---
id: torch-bad
title: Wrong
summary: Every run-time mistake the validator catches.
---

## Wrong numbers

```python example
from torch import nn
print(sum(p.numel() for p in nn.Linear(3, 2).parameters()))
```

```output
6
```

```python example
import torch
torch.zeros(2, 3) @ torch.zeros(2, 3)
```

## Too easy

```python starter
x = 1
```

```python solution
x = 1
```

```python check
assert x == 1, "x should be 1"
```

```hint
Nothing to do.
```
"""


async def test_real_kernel_checks_good_and_bad_lessons(tmp_path: Path) -> None:
    for lesson in GOOD.glob("*.md"):
        shutil.copy(lesson, tmp_path / lesson.name)
    (tmp_path / "03-torch-good.md").write_text(TORCH_LESSON)
    (tmp_path / "04-torch-bad.md").write_text(BAD_TORCH_LESSON)
    progress: list[str] = []
    problems = await check_lessons(tmp_path, device="cpu", on_progress=progress.append)
    found = [(p.path.name, p.line, p.message.splitlines()[0]) for p in problems]
    assert found == [
        ("04-torch-bad.md", 14, "the example prints something else than its ```output block:"),
        ("04-torch-bad.md", 20, found[1][2]),
        (
            "04-torch-bad.md",
            33,
            "the check passes on the starter code: it must fail until the exercise is done",
        ),
    ]
    assert found[1][2].startswith("example raised RuntimeError")
    assert len(progress) == 3 + 1 + 2 + 2


HOSTILE_LESSON = """---
id: hostile
title: Hostile
summary: Blocks that never end, and a check that a mistake gets past.
---

## Forever

```python example
while True:
    pass
```

```python example
while True:
    print("flood " * 100)
```

```python example
print("after")
```

```output
after
```

## Exercise

```python starter
x = None
```

```python solution
x = 1
```

```python check
assert x is not None, "set x"
assert int(x) == x, "x should be a whole number"
assert x == 1
```

```hint
One.
```

```python mistake
# mistake: thinks counting starts at 0
x = 0
```

```python mistake
# mistake: a float where a count was asked
x = 1.0
```

```python mistake
# mistake: the number in words
x = "one"
```
"""


@pytest.mark.slow
async def test_real_kernel_stops_a_block_that_never_ends_and_proves_mistakes(
    tmp_path: Path,
) -> None:
    (tmp_path / "01-hostile.md").write_text(HOSTILE_LESSON)
    problems = await check_lessons(tmp_path, device="cpu", run_timeout=10, output_limit=20_000)
    found = [(p.line, p.message) for p in problems]
    assert found == [
        (9, "example did not finish within 10 s (it was stopped)"),
        (
            14,
            "example printed more than 20,000 characters (only that much is kept and "
            "compared); print less",
        ),
        (
            47,
            "the check (line 37) fails on the mistake (thinks counting starts at 0) without a "
            "message: give each assert a message that tells the learner what is wrong",
        ),
        (
            52,
            "the check (line 37) accepts the mistake (a float where a count was asked): it must "
            "reject it",
        ),
        (
            57,
            "the check (line 37) does not fail on the mistake (the number in words) with its own "
            "message but crashes: The check could not finish: ValueError: invalid literal for "
            "int() with base 10: 'one'",
        ),
    ]
