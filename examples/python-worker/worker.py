#!/usr/bin/env python3
"""A longrun remote worker (docs/workers.md) in Python's standard library alone, serving py.reverse.
Settings: LONGRUN_URL, LONGRUN_API_KEY (a worker key), LONGRUN_WORKER_NAME, LONGRUN_GRACE_SECONDS."""
import json, os, random, signal, socket, sys, time, unicodedata
import urllib.error, urllib.parse, urllib.request

URL = os.environ.get("LONGRUN_URL", "http://127.0.0.1:8000").rstrip("/")
KEY = os.environ.get("LONGRUN_API_KEY", "")
NAME = os.environ.get("LONGRUN_WORKER_NAME", f"py-{socket.gethostname()}-{os.getpid()}")
GRACE = float(os.environ.get("LONGRUN_GRACE_SECONDS", "10"))
TYPES = [{"type": "py.reverse", "description": "Reverse a text, step by step (the Python example worker)",
          "input_schema": {"type": "object", "required": ["text"], "additionalProperties": False, "properties": {
              "text": {"type": "string", "maxLength": 100000},
              "steps": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 5},
              "step_ms": {"type": "integer", "minimum": 0, "maximum": 60000, "default": 200}}}}]
state = {"stopping": False, "idle": False, "deadline": 0.0, "heartbeat": 10.0}

class ApiError(Exception):  # a refusal (4xx), with its code from docs/errors.md
    def __init__(self, status, code, message):
        super().__init__(f"{status} {code}: {message}")
        self.code = code
class JobError(Exception):  # the job's own failure: failed with this code, run again only if `retry`
    def __init__(self, code, message, retry=False):
        super().__init__(message)
        self.code, self.retry = code, retry
class Stop(Exception):  # stop what runs now: canceled, released, lease unrenewable, SIGTERM while idle
    pass

def log(line):
    print(f"[{NAME}] {line}", file=sys.stderr, flush=True)

def on_term(signum, _frame):
    if not state["stopping"]:  # os.write: a print here could land inside a print of the main code
        os.write(2, f"[{NAME}] signal {signum}: claiming no more; a running job has {GRACE:g}s to finish\n".encode())
        state.update(stopping=True, deadline=time.monotonic() + GRACE)
    if state["idle"]:  # only waiting for a job: drop the long-poll now
        raise Stop("shutting down")

def call(method, path, body=None, token=None, ctype="application/json", give_up=None):
    """One request. Connection errors, 408, 429 and 5xx are retried with backoff, until `give_up`."""
    data = body if body is None or isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"content-type": ctype} if data is not None else {}
    headers |= {"authorization": f"Bearer {KEY}"} if KEY else {}
    headers |= {"lease-token": token} if token else {}
    delay = 0.5
    while True:
        try:
            with urllib.request.urlopen(urllib.request.Request(URL + path, data, headers, method=method), timeout=90) as res:
                raw = res.read()
            return json.loads(raw) if raw else None
        except urllib.error.HTTPError as e:
            raw = e.read()  # the server's errors are JSON; a proxy's page is not
            err = (json.loads(raw).get("error") or {}) if raw.startswith(b"{") else {}
            if e.code not in (408, 429) and e.code < 500:
                raise ApiError(e.code, err.get("code", "http_error"), err.get("message", e.reason)) from None
            why = f"{e.code} {err.get('code', e.reason)}"
        except OSError as e:  # URLError included: refused, reset, timed out
            why = str(getattr(e, "reason", e))
        pause, delay = delay * random.uniform(0.5, 1), min(delay * 2, 8)  # 0.5 s doubling to 8 s, jittered
        if give_up is not None and time.monotonic() + pause > give_up:
            raise Stop(f"server unreachable ({why})")
        log(f"{method} {path}: {why}; retrying in {pause:.1f}s")
        time.sleep(pause)

def reverse(beat, text, steps=5, step_ms=200):  # the work: a heartbeat after each step, and within long ones
    if any(unicodedata.combining(c) for c in text):
        raise JobError("combining_marks_unsupported", "reversed, its accents would land on other letters")
    backwards = text[::-1]
    for i in range(1, steps + 1):
        end = time.monotonic() + step_ms / 1000
        while (left := end - time.monotonic()) > 0:
            time.sleep(min(left, state["heartbeat"]))
            if time.monotonic() < end:
                beat()
        done = backwards[: len(text) * i // steps]
        beat(progress=100 * i // steps, stage="reversing", message=f"step {i} of {steps}",
             eta_seconds=(steps - i) * step_ms / 1000, logs=[f"step {i}/{steps}: {done[-60:]!r}"])
    return backwards

def run(worker, claim):
    job, token = claim["job"], claim["lease_token"]
    base = f"/v1/workers/{worker['id']}/jobs/{urllib.parse.quote(claim['ref'], safe=':')}"
    def jcall(method, path, body=None, **kw):  # past lease_seconds unreachable, the lease is gone anyway
        return call(method, base + path, body, token, give_up=time.monotonic() + worker["lease_seconds"], **kw)
    def beat(**fields):
        if state["stopping"] and time.monotonic() > state["deadline"]:  # SIGTERM's grace is over
            jcall("POST", "/release", {})  # back to the queue, its attempt not counted
            raise Stop("released")
        if jcall("POST", "/heartbeat", fields)["canceled"]:
            raise Stop("canceled")
    log(f"job {job['id']} ({job['type']}) attempt {job['attempt']} of {job['max_attempts']}")
    try:
        out = reverse(beat, **job["input"])
        art = jcall("PUT", "/artifacts/reversed.txt", out.encode(), ctype="text/plain; charset=utf-8")
        jcall("POST", "/complete", {"output": {"text": out, "length": len(out), "artifacts": [art]},
                                    "progress": 100, "stage": "done", "logs": ["uploaded reversed.txt"]})
        log(f"job {job['id']} completed")
    except Stop as s:
        log(f"job {job['id']} {s}: stopped")
    except ApiError as e:  # lease_lost: expired or taken over; this worker's result must not land
        log(f"job {job['id']} {'lease lost' if e.code == 'lease_lost' else 'refused'} ({e}): stopped")
    except Exception as e:  # a JobError is the job's own; anything else is this worker's fault: retry
        code, retry = (e.code, e.retry) if isinstance(e, JobError) else ("worker_error", True)
        log(f"job {job['id']} failed: {code}: {e}")
        try:
            jcall("POST", "/fail", {"error": {"code": code, "message": str(e)[:2000]}, "retry": retry})
        except (ApiError, Stop) as e2:
            log(f"job {job['id']}: the failure was not recorded: {e2}")

def register():
    w = call("POST", "/v1/workers", {"name": NAME, "types": TYPES})
    state["heartbeat"] = w["heartbeat_seconds"]
    print(f"registered {w['id']} serving {', '.join(w['types'])} at {URL}", flush=True)
    return w

def main():
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, on_term)
    worker, state["idle"] = None, True  # SIGTERM while registering: nothing to finish
    try:
        worker = register()
        while not state["stopping"]:
            jobs, state["idle"] = [], True
            try:
                ask = {"max_jobs": 1, "wait_seconds": min(30, worker["max_wait_seconds"])}
                jobs = call("POST", f"/v1/workers/{worker['id']}/claim", ask)["jobs"]
            except Stop:  # SIGTERM while waiting (a claim answered in that very instant still runs, within the grace)
                pass
            except ApiError as e:
                if e.code != "worker_not_found":
                    raise
                worker = register()  # forgotten by the server (a day unseen): register again
            finally:
                state["idle"] = False
            for claim in jobs:
                run(worker, claim)
    except Stop:  # SIGTERM while registering
        pass
    except ApiError as e:
        sys.exit(f"[{NAME}] refused: {e}")
    if worker:
        try:
            call("DELETE", f"/v1/workers/{worker['id']}", give_up=time.monotonic() + 5)
        except (ApiError, Stop) as e:
            log(f"could not leave: {e}")
    log("stopped")

if __name__ == "__main__":
    main()
