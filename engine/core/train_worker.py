"""Training in a separate process: what crosses the pipe, and the child's side of it.

ui/training.py (NLP_ATLAS_TRAIN_MODE=process) hands a run to a child of a small fork server that is started with the
app and has torch and the engine imported — never a fork of the app server itself: forking a 1.5 GB server shares its
pages copy-on-write, and every page the server writes afterwards is copied (bench/results/classroom_ws_final2.md).
So a run travels as data:

- to the child, the *spec*: the page's model and the call that made its training generator — a module-level generator
  function and its arguments, read from the unstarted generator's frame (`generator_call`) — pickled;
- back, batches of Progress, snapshots of the model while a live view is drawn, and the model at the end.

A model comes back without copying what the server already holds: torch modules as their state, loaded in place into
the server's modules (their hooks and identity survive), frozen dataclasses (corpora, counts, configs, often shared
by every session) as references. Both sides list those objects in the same order (`shared_objects` walks the same
structure), so a reference is an index; the child sends the list's types first and the server checks them.
"""

from __future__ import annotations

import copyreg
import gc
import inspect
import io
import os
import pickle
import sys
import time
import traceback
from typing import Any, Callable, Iterable

import torch.nn as nn

from engine.core.train import Progress, run

SEND_S = 0.25  # the child sends its Progress records in batches this often
SNAPSHOT_S = 1.0  # ...and, while a live view is drawn, the model at most this often


def generator_call(steps: Iterable[Progress]) -> tuple[Callable, tuple, dict]:
    """(function, args, kwargs) such that function(*args, **kwargs) makes `steps` again; ValueError if it cannot be
    made elsewhere (not an unstarted generator of a module-level function)."""
    if not inspect.isgenerator(steps):
        raise ValueError(f"{type(steps).__name__} is not a generator")
    if inspect.getgeneratorstate(steps) != inspect.GEN_CREATED:
        raise ValueError("the generator has already started")
    code, frame = steps.gi_code, steps.gi_frame
    fn: Any = sys.modules.get(frame.f_globals.get("__name__", ""))
    for part in code.co_qualname.split("."):
        fn = getattr(fn, part, None)
    if getattr(fn, "__code__", None) is not code:
        raise ValueError(f"{code.co_qualname} is not a module-level function")
    local = frame.f_locals  # an unstarted generator's locals are exactly its arguments
    args: list = []
    kwargs: dict = {}
    for p in inspect.signature(fn).parameters.values():
        value = local[p.name]
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            args.append(value)
        elif p.kind == p.VAR_POSITIONAL:
            args.extend(value)
        elif p.kind == p.KEYWORD_ONLY:
            kwargs[p.name] = value
        else:
            kwargs.update(value)
    return fn, tuple(args), kwargs


def _frozen(obj: Any) -> bool:
    params = getattr(type(obj), "__dataclass_params__", None)
    return params is not None and params.frozen


def shared_objects(model: Any) -> list[Any]:
    """The torch modules and frozen dataclasses reachable from `model`, in a deterministic order."""
    found: list[Any] = []
    seen: set[int] = set()
    stack = [model]
    while stack and len(seen) < 50_000:
        x = stack.pop()
        if id(x) in seen or isinstance(x, (str, bytes, int, float, bool, type(None))):
            continue
        seen.add(id(x))
        if isinstance(x, nn.Module) or _frozen(x):
            found.append(x)
        elif isinstance(x, dict):
            stack.extend(list(x.values())[:10_000])
        elif isinstance(x, (list, tuple)):
            stack.extend(list(x)[:10_000])
        elif type(x).__module__ not in ("builtins", "numpy", "torch") and isinstance(
            getattr(x, "__dict__", None), dict
        ):
            stack.extend(vars(x).values())
    return found


def kinds(shared: list[Any]) -> list[str]:
    return [f"{type(o).__module__}.{type(o).__qualname__}" for o in shared]


class SpecPickler(pickle.Pickler):
    """Pickles a model for the child. transformers installs its output-capturing forward hooks (local functions,
    which pickle cannot name) on a model's first forward that asks for hidden states: they are left out, with the
    flag that says they are installed, so the child installs its own when it needs them."""

    def reducer_override(self, obj: Any):
        if not isinstance(obj, nn.Module):
            return NotImplemented
        state = obj.__dict__
        hooks = [
            k
            for k in ("_forward_hooks", "_forward_pre_hooks")
            if any("<locals>" in getattr(h, "__qualname__", "") for h in state.get(k, {}).values())
        ]
        if not hooks and "_output_capturing_hooks_installed" not in state:
            return NotImplemented
        state = dict(state)
        for k in hooks:
            state[k] = type(state[k])(
                (i, h) for i, h in state[k].items() if "<locals>" not in getattr(h, "__qualname__", "")
            )
        state.pop("_output_capturing_hooks_installed", None)
        return copyreg.__newobj__, (type(obj),), state


def dumps_spec(model: Any, fn: Callable, args: tuple, kwargs: dict) -> bytes:
    buf = io.BytesIO()
    SpecPickler(buf, protocol=pickle.HIGHEST_PROTOCOL).dump((model, fn, args, kwargs))
    return buf.getvalue()


class BackPickler(pickle.Pickler):
    """The child's pickler for what it sends back: modules in `shared` as their state, frozen data as an index."""

    def __init__(self, file, shared: list[Any], with_state: bool = True):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.shared, self.with_state = shared, with_state
        self.index = {id(o): i for i, o in enumerate(shared)}

    def persistent_id(self, obj: Any):
        i = self.index.get(id(obj))
        if i is None or self.shared[i] is not obj:
            return None
        if not _frozen(obj) and self.with_state:  # a module: its numbers, train/eval modes and frozen parameters
            return (
                "m",
                i,
                obj.state_dict(),
                {n: m.training for n, m in obj.named_modules()},
                {n: p.requires_grad for n, p in obj.named_parameters()},
            )
        return ("r", i)


class BackUnpickler(pickle.Unpickler):
    """The server's unpickler: an index is the server's own object; a module's state is loaded into it in place."""

    def __init__(self, file, shared: list[Any]):
        super().__init__(file)
        self.shared = shared

    def persistent_load(self, pid):
        obj = self.shared[pid[1]]
        if pid[0] == "m":
            import torch

            state, modes, grads = pid[2:]
            with torch.no_grad():
                obj.load_state_dict(state)
            for name, m in obj.named_modules():
                m.training = modes.get(name, m.training)
            for name, p in obj.named_parameters():
                if name in grads:
                    p.requires_grad_(grads[name])
        return obj


def dumps(obj: Any, shared: list[Any]) -> bytes:
    buf = io.BytesIO()
    BackPickler(buf, shared).dump(obj)
    return buf.getvalue()


def loads(data: bytes, shared: list[Any]) -> Any:
    return BackUnpickler(io.BytesIO(data), shared).load()


class _Discard:
    def write(self, b) -> int:
        return len(b)


def sendable(model: Any, shared: list[Any]) -> str | None:
    """None if the child can send `model` back (checked without the modules' numbers); else why not."""
    try:
        BackPickler(_Discard(), shared, with_state=False).dump(model)
        return None
    except Exception as exc:  # noqa: BLE001 - pickling can fail in many ways
        return f"{type(exc).__name__}: {exc}"


class PipeStop:
    """The child's view of Stop: set once the server sends anything, or hangs up."""

    def __init__(self, conn):
        self.conn, self._set = conn, False

    def is_set(self) -> bool:
        if not self._set:
            self._set = self.conn.poll()
        return self._set


def limit_memory(extra_mb: int) -> None:
    """Cap the process's data segment at what it has now plus `extra_mb`: a run that asks for more gets a
    MemoryError (shown on the page) instead of pushing the server into swap or the OOM killer."""
    try:
        import resource

        with open("/proc/self/status") as f:
            data_kb = next(int(line.split()[1]) for line in f if line.startswith("VmData:"))
        limit = (data_kb * 1024) + extra_mb * 2**20
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    except (OSError, ValueError, StopIteration, ImportError):
        pass


def _register_transformers(spec: Any) -> None:
    """transformers learns which outputs (hidden states, attentions) a model class can record when an instance is
    constructed; an unpickled model was not constructed here, so without this `output_hidden_states=True` would
    return None in the child."""
    try:
        from transformers.utils.output_capturing import _CAN_RECORD_REGISTRY
    except ImportError:  # another transformers version: nothing to do, or nothing we know how to do
        return
    for obj in shared_objects(spec):
        if isinstance(obj, nn.Module):
            for m in obj.modules():
                if hasattr(m, "_can_record_outputs") and not _CAN_RECORD_REGISTRY.get(m):
                    _CAN_RECORD_REGISTRY[m] = m._can_record_outputs


def child_main(conn, max_seconds: float, snapshots: bool, nice: int, mem_mb: int) -> None:
    """The training process: read the spec, make the generator, consume it, report back, exit."""
    gc.freeze()  # the fork server's heap is shared by every child: never collected (written to, copied) here
    try:
        os.nice(nice)
    except OSError:
        pass
    import torch

    torch.set_num_threads(1)
    try:
        data = conn.recv_bytes()
    except (EOFError, OSError):
        return  # the server went away before it sent the run
    try:
        model, fn, args, kwargs = pickle.loads(data)
        _register_transformers((model, args, kwargs))
        steps = fn(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001 - the server trains in a thread instead
        conn.send_bytes(pickle.dumps(("refused", f"{type(exc).__name__}: {exc}")))
        return
    shared = shared_objects(model)
    conn.send_bytes(pickle.dumps(("ready", kinds(shared))))
    limit_memory(mem_mb)
    pending: list[Progress] = []
    clock = {"sent": 0.0, "snap": time.monotonic(), "snap_cost": 0.0}  # the first step is sent at once

    def send(kind: str, payload: Any) -> None:
        t0 = time.monotonic()
        conn.send_bytes(dumps((kind, payload), shared))
        if kind == "model":
            clock["snap_cost"] = time.monotonic() - t0

    def on_progress(p: Progress) -> None:
        pending.append(p)
        now = time.monotonic()
        if now - clock["sent"] >= SEND_S:
            send("progress", pending[:])
            pending.clear()
            clock["sent"] = now
        # a big model costs the server time to unpickle: snapshot at most ~5 % of the time
        if snapshots and now - clock["snap"] >= max(SNAPSHOT_S, 20 * clock["snap_cost"]):
            send("model", model)
            clock["snap"] = time.monotonic()

    status, seconds, error = "error", 0.0, None
    try:
        result = run(steps, stop=PipeStop(conn), max_seconds=max_seconds, on_progress=on_progress)
        status, seconds = result.status, result.seconds
    except Exception as exc:  # noqa: BLE001 - reported to the page
        error = f"{type(exc).__name__}: {exc}"
        os.write(2, traceback.format_exc().encode())
    try:
        if pending:
            send("progress", pending)
        if error is None:
            try:
                send("model", model)
            except (BrokenPipeError, ConnectionError):
                raise
            except Exception as exc:  # noqa: BLE001 - e.g. the run attached something that cannot be pickled
                status, error = "error", f"{type(exc).__name__}: {exc}"
        send("end", (status, seconds, error))
    except OSError:  # the server is gone
        pass
