/**
 * The Python side of the `python` provider and of Python controls, run as `python3 -c PYTHON_SHIM` by the
 * worker (`python/worker.ts`). It is embedded as a string so the compiled package needs no data file next to its
 * JavaScript.
 */

/** Source of the shim (Python 3.8+). */
export const PYTHON_SHIM = String.raw`"""turbulence's bridge to Chaos Toolkit Python providers and controls.

One long-lived worker per run, like Chaos Toolkit's single process: modules are imported once and keep their
state between calls. Requests arrive as JSON lines on fd 3, answers leave as JSON lines on fd 4, so nothing a
function prints (sys.stdout is sent to stderr) can corrupt them. Each request runs on its own thread, as
chaoslib runs background activities on threads.

  {"id", "op": "call", "module", "func", "arguments", "configuration", "secrets", "paths"}
      -> {"id", "ok": true, "output": ...} | {"id", "ok": false, "stage": "import|func|bind|call", "error": "Type: msg"}
  {"id", "op": "validate", ...same...}  -> {"id", "ok": true} | {"id", "ok": false, "stage": ..., "error": ...}
  {"id", "op": "available", "module", "paths"} -> {"id", "ok": true} | {"id", "ok": false, "stage": "import", ...}
  {"id", "op": "control", "module", "hook", "arguments", "context", "state", "configuration", "secrets",
   "experiment", "settings", "paths"}
      -> {"id", "ok": true, "called": bool} | {"id", "ok": false, "stage": "interrupt|import|call", "error": ...}

"configuration" and "secrets" are passed only when the function's signature names them (and, for provider
secrets, only when the provider listed secret scopes), as chaoslib/provider/python.py and
chaoslib/control/python.py do. When chaoslib itself is not installed, small stand-ins for chaoslib.exceptions
and chaoslib.types are registered so that stdlib-only controls written for Chaos Toolkit
("from chaoslib.exceptions import InterruptExecution") import and behave the same.
"""
import importlib
import importlib.util
import inspect
import json
import os
import sys
import threading
import traceback
import types


def install_chaoslib_standins():
    try:
        importlib.import_module("chaoslib.exceptions")
        return
    except Exception:
        pass
    pkg = types.ModuleType("chaoslib")
    pkg.__path__ = []
    exc = types.ModuleType("chaoslib.exceptions")

    class ChaosException(Exception):
        pass

    class InvalidActivity(ChaosException):
        pass

    class ActivityFailed(ChaosException):
        pass

    class InvalidExperiment(ChaosException):
        pass

    class InterruptExecution(ChaosException):
        pass

    class InvalidSource(ChaosException):
        pass

    class InvalidControl(ChaosException):
        pass

    for cls in (ChaosException, InvalidActivity, ActivityFailed, InvalidExperiment, InterruptExecution,
                InvalidSource, InvalidControl):
        cls.__qualname__ = cls.__name__
        cls.__module__ = "chaoslib.exceptions"
        setattr(exc, cls.__name__, cls)
    exc.FailedActivity = ActivityFailed
    typ = types.ModuleType("chaoslib.types")
    for name in ("Activity", "Configuration", "Control", "Experiment", "Hypothesis", "Journal", "Run",
                 "Secrets", "Settings", "Tolerance", "Schedule", "Strategy", "Dry"):
        setattr(typ, name, dict)
    pkg.exceptions = exc
    pkg.types = typ
    sys.modules["chaoslib"] = pkg
    sys.modules["chaoslib.exceptions"] = exc
    sys.modules["chaoslib.types"] = typ


def describe(exc):
    return traceback.format_exception_only(type(exc), exc)[-1].strip()


def add_paths(request):
    for path in reversed(request.get("paths") or []):
        if path not in sys.path:
            sys.path.insert(0, path)


def load(request):
    add_paths(request)
    try:
        module = importlib.import_module(request["module"])
    except Exception as exc:  # ImportError and anything the module raises while importing
        return None, {"ok": False, "stage": "import", "error": describe(exc)}
    func = getattr(module, request.get("func") or "", None)
    if func is None or not callable(func):
        return None, {
            "ok": False,
            "stage": "func",
            "error": "module '%s' has no function '%s'" % (request["module"], request.get("func")),
        }
    return func, None


def keyword_arguments(func, request):
    kwargs = dict(request.get("arguments") or {})
    try:
        params = inspect.signature(func).parameters
    except (TypeError, ValueError):
        params = {}
    if "configuration" in params:
        kwargs["configuration"] = dict(request.get("configuration") or {})
    if "secrets" in params and request.get("secrets") is not None:
        kwargs["secrets"] = request["secrets"]
    return kwargs, params


def bind_problem(func, kwargs, params):
    if not params:
        return None
    try:
        inspect.signature(func).bind(**kwargs)
    except TypeError as exc:
        return {"ok": False, "stage": "bind", "error": str(exc)}
    return None


def is_interrupt(exc):
    return any(cls.__name__ == "InterruptExecution" for cls in type(exc).__mro__)


def control(request):
    add_paths(request)
    try:
        module = importlib.import_module(request["module"])
    except Exception as exc:
        return {"ok": False, "stage": "import", "error": describe(exc)}
    hook = request["hook"]
    func = getattr(module, hook, None)
    if func is None or not callable(func):
        return {"ok": True, "called": False}
    kwargs = dict(request.get("arguments") or {})
    try:
        params = inspect.signature(func).parameters
    except (TypeError, ValueError):
        params = {}
    has = lambda name: name in params or any(p.kind == p.VAR_KEYWORD for p in params.values())
    if hook == "cleanup_control":
        kwargs = {}
    else:
        if "secrets" in params:
            kwargs["secrets"] = request.get("secrets")
        if "configuration" in params:
            kwargs["configuration"] = dict(request.get("configuration") or {})
        if "config" in params and hook == "configure_control":
            kwargs["config"] = dict(request.get("configuration") or {})
        if "experiment" in params:
            kwargs["experiment"] = request.get("experiment")
        if "settings" in params:
            kwargs["settings"] = request.get("settings")
        if "extensions" in params:
            kwargs["extensions"] = (request.get("experiment") or {}).get("extensions")
        if hook != "configure_control":
            if "state" in params:
                kwargs["state"] = request.get("state")
            kwargs["context"] = request.get("context")
            if not has("context"):
                kwargs.pop("context")
    try:
        func(**kwargs)
    except Exception as exc:
        return {"ok": False, "stage": "interrupt" if is_interrupt(exc) else "call", "error": describe(exc)}
    return {"ok": True, "called": True}


def handle(request):
    op = request.get("op")
    if op == "ping":
        return {"ok": True, "output": os.getpid()}
    if op == "available":
        add_paths(request)
        try:
            found = importlib.util.find_spec(request["module"]) is not None
        except Exception as exc:
            return {"ok": False, "stage": "import", "error": describe(exc)}
        if found:
            return {"ok": True}
        return {"ok": False, "stage": "import", "error": "ModuleNotFoundError: No module named '%s'" % request["module"]}
    if op == "control":
        return control(request)
    func, problem = load(request)
    if problem:
        return problem
    kwargs, params = keyword_arguments(func, request)
    if op == "validate":
        return bind_problem(func, kwargs, params) or {"ok": True}
    try:
        output = func(**kwargs)
    except Exception as exc:
        return {"ok": False, "stage": "call", "error": describe(exc)}
    return {"ok": True, "output": output}


def encode(value):
    if isinstance(value, (bytes, bytearray)):
        return value.decode("utf-8", "replace")
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return repr(value)


def finite(value):
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return None
    if isinstance(value, list):
        return [finite(v) for v in value]
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    return value


def serialize(answer):
    try:
        return json.dumps(answer, default=encode, allow_nan=False)
    except ValueError:  # NaN or infinity somewhere: JSON has no word for them, null is the closest
        return json.dumps(finite(json.loads(json.dumps(answer, default=encode))))


def main():
    sys.stdout = sys.stderr
    install_chaoslib_standins()
    requests = os.fdopen(3, "r", encoding="utf-8")
    answers = os.fdopen(4, "w", encoding="utf-8")
    lock = threading.Lock()

    def serve(request):
        try:
            answer = handle(request)
        except BaseException as exc:  # SystemExit from user code must not end the worker silently
            answer = {"ok": False, "stage": "call", "error": describe(exc)}
        answer["id"] = request.get("id")
        text = serialize(answer)
        with lock:
            answers.write(text + "\n")
            answers.flush()

    for line in requests:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
        except ValueError as exc:
            serve({"op": "ping", "id": None})
            continue
        threading.Thread(target=serve, args=(request,), daemon=True).start()


main()
`;
