"""A Chaos Toolkit control written with the standard library only (plus chaoslib's exception, which turbulence
provides when chaoslib is not installed).

It appends one line per hook to the file named by its `path` argument, and stops the run from
`before_activity_control` when the activity about to run is named `stop_at`, exactly as chaostoolkit-lib's own
test control tests/fixtures/controls/interrupter.py does. Runs unchanged under `chaos run` and `turbulence run`.
"""
import json

from chaoslib.exceptions import InterruptExecution

_calls = 0  # module state: kept for the whole run (one Python process / one worker per run)
_path = None


def _log(path, hook, context=None, **extra):
    global _calls
    _calls += 1
    name = None
    if isinstance(context, dict):
        name = context.get("name") or context.get("title")
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps({"n": _calls, "hook": hook, "name": name, **extra}) + "\n")


def configure_control(path, stop_at=None, configuration=None, secrets=None, settings=None, experiment=None):
    global _path
    _path = path
    _log(path, "configure_control", experiment, configured=configuration is not None)


def before_experiment_control(context, path, stop_at=None, **kwargs):
    _log(path, "before_experiment_control", context)


def after_experiment_control(context, state, path, stop_at=None, **kwargs):
    _log(path, "after_experiment_control", context, status=state.get("status"))


def before_hypothesis_control(context, path, stop_at=None, **kwargs):
    _log(path, "before_hypothesis_control", context)


def after_hypothesis_control(context, state, path, stop_at=None, **kwargs):
    _log(path, "after_hypothesis_control", context, met=state.get("steady_state_met"))


def before_method_control(context, path, stop_at=None, **kwargs):
    _log(path, "before_method_control")


def after_method_control(context, state, path, stop_at=None, **kwargs):
    _log(path, "after_method_control", runs=len(state))


def before_rollback_control(context, path, stop_at=None, **kwargs):
    _log(path, "before_rollback_control")


def after_rollback_control(context, state, path, stop_at=None, **kwargs):
    _log(path, "after_rollback_control")


def before_activity_control(context, path, stop_at=None, **kwargs):
    _log(path, "before_activity_control", context)
    if stop_at and context.get("name") == stop_at:
        raise InterruptExecution("audit control: stopping before '%s'" % stop_at)


def after_activity_control(context, state, path, stop_at=None, **kwargs):
    _log(path, "after_activity_control", context, status=state.get("status"))


def cleanup_control():
    # no arguments: chaoslib calls cleanup_control() bare; the path was kept from configure_control
    if _path:
        _log(_path, "cleanup_control")
