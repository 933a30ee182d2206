"""A kernel client that knows the kernel is ready 0.2 s sooner than jupyter_client's.

``AsyncKernelClient.wait_for_ready`` ends by reading iopub until nothing has come
for 0.2 s: a fixed 0.2 s on every kernel start and restart, a tenth of a short
``nnlearn run``. nnlearn's own kernels use this client instead (attached kernels
keep jupyter_client's, which also waits for the heartbeat).
"""

from __future__ import annotations

import queue
import time

from jupyter_client.asynchronous.client import AsyncKernelClient


class ReadyClient(AsyncKernelClient):
    """jupyter_client's client, ready without the final 0.2 s drain of iopub.

    Its ``wait_for_ready`` ends by reading iopub until nothing has come for 0.2 s: a
    fixed 0.2 s on every start and restart (and a tenth of a short ``nnlearn run``).
    This is the same wait without that drain; a Run reads only its own iopub messages.
    """

    async def _ready_without_drain(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (timeout if timeout is not None else float("inf"))
        while True:
            self.kernel_info()
            try:
                reply = await self.shell_channel.get_msg(timeout=1)
            except queue.Empty:
                pass
            else:
                if reply["msg_type"] == "kernel_info_reply":
                    try:  # one iopub message shows that iopub is connected too
                        await self.iopub_channel.get_msg(timeout=0.2)
                    except queue.Empty:
                        pass
                    else:
                        self._handle_kernel_info_reply(reply)
                        return
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")

    wait_for_ready = _ready_without_drain  # type: ignore[assignment]
