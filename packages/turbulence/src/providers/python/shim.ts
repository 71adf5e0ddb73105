/**
 * The Python side of the `python` provider, run as `python3 -c PYTHON_SHIM`. It is embedded as a string so
 * the compiled package needs no data file next to its JavaScript.
 */

/** Source of the shim (Python 3.8+). */
export const PYTHON_SHIM = String.raw`"""turbulence's bridge to Chaos Toolkit Python providers.

Reads one JSON request on stdin and writes one JSON answer on the real stdout; anything the called
function prints goes to stderr so it cannot corrupt the answer.

  {"op": "call", "module", "func", "arguments", "configuration", "secrets", "paths"}
      -> {"ok": true, "output": ...} | {"ok": false, "stage": "import|func|bind|call", "error": "Type: msg"}
  {"op": "validate", ...same...}  -> {"ok": true} | {"ok": false, "stage": ..., "error": ...}
  {"op": "available", "module", "paths"} -> {"ok": true} | {"ok": false, "stage": "import", "error": ...}

"configuration" and "secrets" are passed only when the function's signature names them (and, for secrets,
only when the provider listed secret scopes), as chaostoolkit-lib does.
"""
import importlib
import importlib.util
import inspect
import json
import sys
import traceback


def describe(exc):
    return traceback.format_exception_only(type(exc), exc)[-1].strip()


def load(request):
    for path in reversed(request.get("paths") or []):
        if path not in sys.path:
            sys.path.insert(0, path)
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


def handle(request):
    if request.get("op") == "available":
        for path in reversed(request.get("paths") or []):
            sys.path.insert(0, path)
        try:
            found = importlib.util.find_spec(request["module"]) is not None
        except Exception as exc:
            return {"ok": False, "stage": "import", "error": describe(exc)}
        if found:
            return {"ok": True}
        return {"ok": False, "stage": "import", "error": "ModuleNotFoundError: No module named '%s'" % request["module"]}
    func, problem = load(request)
    if problem:
        return problem
    kwargs, params = keyword_arguments(func, request)
    if request.get("op") == "validate":
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


def main():
    out = sys.stdout
    sys.stdout = sys.stderr
    try:
        answer = handle(json.load(sys.stdin))
    except Exception as exc:
        answer = {"ok": False, "stage": "shim", "error": describe(exc)}
    try:
        text = json.dumps(answer, default=encode, allow_nan=False)
    except ValueError:  # NaN or infinity somewhere: JSON has no word for them, null is the closest
        text = json.dumps(finite(json.loads(json.dumps(answer, default=encode))))
    out.write(text)
    out.flush()


main()
`;
