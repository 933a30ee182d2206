"""SpareKernel's bookkeeping with fake sessions: when it launches, hands out and replaces spares."""

from __future__ import annotations

import asyncio

from nnlearn.kernel.spare import SpareKernel


class FakeSession:
    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.alive = False
        self.shut = False
        self.info = object()

    async def start(self):
        if self.fail:
            raise RuntimeError("no kernel")
        self.alive = True
        return self.info

    async def is_alive(self) -> bool:
        return self.alive

    async def shutdown(self) -> None:
        self.alive = False
        self.shut = True


class Sessions(list[FakeSession]):
    """Every session the pool made, oldest first; called (by the pool), it makes one more."""

    def __init__(self, fail: bool = False) -> None:
        super().__init__()
        self.fail = fail

    def __call__(self) -> FakeSession:
        self.append(FakeSession(fail=self.fail))
        return self[-1]


async def settle(condition, rounds: int = 500) -> None:
    for _ in range(rounds):
        if condition():
            return
        await asyncio.sleep(0.001)


async def test_waits_while_a_run_is_going_on_then_keeps_one():
    sessions = Sessions()
    busy = True
    pool = SpareKernel(sessions, 0.001, lambda: busy)
    pool.fill()
    await asyncio.sleep(0.02)
    assert sessions == [] and not pool.ready
    busy = False
    await settle(lambda: pool.ready)
    assert len(sessions) == 1 and pool.ready
    await pool.close()
    assert sessions[0].shut


async def test_take_hands_out_the_spare_and_a_replacement_follows():
    sessions = Sessions()
    pool = SpareKernel(sessions, 0.001)
    pool.fill()
    await settle(lambda: pool.ready)
    taken = await pool.take()
    assert taken is sessions[0] and not taken.shut
    await settle(lambda: pool.ready)
    assert len(sessions) == 2 and pool._spare is sessions[1]
    await pool.close()
    assert sessions[1].shut and not sessions[0].shut, "the taken kernel is the caller's now"


async def test_a_dead_spare_is_never_handed_out_and_is_replaced():
    sessions = Sessions()
    pool = SpareKernel(sessions, 3600)
    pool.fill()
    await settle(lambda: pool.ready)
    sessions[0].alive = False
    assert await pool.take() is None
    await settle(lambda: len(sessions) == 2 and pool.ready)
    assert sessions[0].shut and pool._spare is sessions[1]
    await pool.close()


async def test_a_spare_that_dies_while_waiting_is_replaced_by_the_watch():
    sessions = Sessions()
    pool = SpareKernel(sessions, 0.001)
    pool.fill()
    await settle(lambda: pool.ready)
    sessions[0].alive = False
    await settle(lambda: len(sessions) == 2 and pool.ready)
    assert sessions[0].shut and await pool.take() is sessions[1]
    await pool.close()


async def test_gives_up_after_repeated_failed_starts():
    sessions = Sessions(fail=True)
    pool = SpareKernel(sessions, 0.001)
    pool.fill()
    await settle(lambda: not pool.running)
    assert len(sessions) == 3 and all(s.shut for s in sessions)
    assert await pool.take() is None
    await pool.close()


async def test_the_first_spare_waits_for_its_delay():
    sessions = Sessions()
    pool = SpareKernel(sessions, 0.001, delay=3600)
    pool.fill()
    await asyncio.sleep(0.02)
    assert sessions == [] and not pool.ready
    await pool.close()
    soon = SpareKernel(sessions, 0.001, delay=0.01)
    soon.fill()
    await settle(lambda: soon.ready, rounds=5000)
    assert len(sessions) == 1
    await soon.close()
