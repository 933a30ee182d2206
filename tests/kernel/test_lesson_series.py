"""A series a lesson tracks beside the training loss shares the loss's step axis.

The Loss tab draws every series against one step axis. A validation loss
tracked once per epoch at ``step=epoch``, beside a training loss recorded
once per batch, lands in the first few epochs' worth of steps, where the
lesson says it sits next to the training loss of the same epoch.
"""

from __future__ import annotations

import pytest
from kernel_helpers import collect, only

from nnlearn.curriculum.bundled import bundled_lessons_dir
from nnlearn.curriculum.loader import load_lessons
from nnlearn.kernel.events import LossPoints

pytestmark = pytest.mark.kernel


def validation_example() -> str:
    lesson = next(x for x in load_lessons(bundled_lessons_dir()).lessons if x.id == "mini-batches")
    step = next(s for s in lesson.steps if s.title == "A validation pass")
    return next(block.code for block in step.examples if "nnlearn.track" in block.code)


async def test_the_validation_loss_of_an_epoch_is_drawn_at_that_epochs_last_batch(kernel):
    events = await collect(kernel, validation_example(), device="cpu")
    steps: dict[str, list[int]] = {}
    for event in only(events, LossPoints):
        steps.setdefault(event.series, []).extend(step for step, _ in event.points)
    batches, epochs = steps["loss"], steps["val_loss"]
    per_epoch = len(batches) // len(epochs)
    assert per_epoch > 1  # several batches an epoch: the two axes would differ
    assert epochs == [(epoch + 1) * per_epoch - 1 for epoch in range(len(epochs))]
    assert epochs[-1] == batches[-1]
