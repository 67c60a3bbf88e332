"""The load generator of bench/load.py: wrk (Debian's package), one thread
and one connection per user, driven by a Lua script.

Each thread plays one user: its session cookie and its requests come from a
file written here; it sends them in turn (closed loop: the next request when
the answer has come), times each from the moment it is written to the last
byte of the answer (a monotonic clock through LuaJIT's FFI), checks that the
answer is a JSON-RPC result and, where the request names what it must find,
that the answer holds it, and logs one line per request. A user of the stock
kind sends two requests per identification (partners, then leads): the pair
is logged as one identification too. wrk stops at its duration (``-d``) or
when each thread has sent its bound of requests.
"""

import os
import resource
import shutil
import subprocess
import sys
import time

# One user per wrk thread (one connection each): a response is then always the
# answer to the thread's last request.
LUA = r"""
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } load_timespec;
int clock_gettime(int clock_id, load_timespec *tp);
]]
local clock = ffi.new("load_timespec")
local function now_us()
    ffi.C.clock_gettime(1, clock)  -- CLOCK_MONOTONIC
    return tonumber(clock.tv_sec) * 1000000 + tonumber(clock.tv_nsec) / 1000
end

local count = 0
function setup(thread)
    count = count + 1
    thread:set("index", count)
end

local items, current, position, sent, bound, out, started
local pair_started, pair_ok, pair_found

function init(args)
    local dir = args[1]
    bound = tonumber(args[2])
    local file = assert(io.open(dir .. "/user_" .. index .. ".txt"))
    local cookie = file:read("*l")
    items = {}
    for line in file:lines() do
        local action, pair, check, path, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
        items[#items + 1] = {
            action = action,
            pair = pair,
            check = check,
            request = wrk.format("POST", path, {
                ["Content-Type"] = "application/json",
                ["Cookie"] = "session_id=" .. cookie,
            }, body),
        }
    end
    file:close()
    out = assert(io.open(dir .. "/log_" .. index .. ".txt", "w"))
    position, sent = 0, 0
end

function request()
    position = position % #items + 1
    current = items[position]
    started = now_us()
    return current.request
end

function response(status, headers, body)
    local finished = now_us()
    local ok = status == 200 and body:sub(1, 40):find('"error"', 1, true) == nil  -- a JSON-RPC result
    local found = "-"
    if current.check ~= "" then
        found = body:find(current.check, 1, true) and "1" or "0"
    end
    out:write(current.action, "\t", string.format("%.0f", finished - started), "\t", ok and "1" or "0",
              "\t", found, "\t", string.format("%.0f", finished), "\n")
    if not ok then
        out:write("#\t", current.action, "\t", status, "\t", body:sub(1, 400):gsub("[\t\n]", " "), "\n")
    end
    if current.pair == "1" then
        pair_started, pair_ok, pair_found = started, ok, found
    elseif current.pair == "2" and pair_started then  -- (wrk calls request() once before the run)
        local both = "-"
        if pair_found ~= "-" or found ~= "-" then
            both = (pair_found == "1" or found == "1") and "1" or "0"
        end
        out:write("stock_identify\t", string.format("%.0f", finished - pair_started), "\t",
                  (ok and pair_ok) and "1" or "0", "\t", both, "\t", string.format("%.0f", finished), "\n")
        pair_started = nil
    end
    sent = sent + 1
    if bound > 0 and sent >= bound then
        wrk.thread:stop()
    end
end

function done(summary, latency, requests)
    local file = assert(io.open(os.getenv("LOAD_WRK_SUMMARY"), "w"))
    local errors = summary.errors
    file:write(string.format(
        "duration_us %d\nrequests %d\nconnect %d\nread %d\nwrite %d\nstatus %d\ntimeout %d\n",
        summary.duration, summary.requests, errors.connect, errors.read, errors.write, errors.status,
        errors.timeout))
    file:close()
end
"""

ACTIONS = {  # the kinds of bench/_load_workload.py: what each request is logged as
    "caller": "identify",
    "desk": "desk",
    "deal": "deal",
    "lead": "create_lead",
    "empty": "empty",
}


def ensure_wrk():
    """wrk's path; installed from Debian's packages when missing (as root)."""
    path = shutil.which("wrk")
    if path:
        return path
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("  installing wrk (apt-get install wrk)", flush=True)
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=False, env=env, capture_output=True)
        path = shutil.which("wrk")
    if not path:
        sys.exit("wrk is missing: install it (apt-get install wrk) and run again.")
    return path


def write_users(run_dir, users):
    """One file per wrk thread: ``users`` is [(kind, session cookie, [(check, path, body)])];
    each user starts at its own place in the list (users of a kind do not ask
    the same thing at the same time)."""
    os.makedirs(run_dir, exist_ok=True)
    for name in os.listdir(run_dir):
        os.remove(os.path.join(run_dir, name))
    same_kind = {}
    for kind, _cookie, _items in users:
        same_kind[kind] = same_kind.get(kind, 0) + 1
    seen = {}
    for index, (kind, cookie, items) in enumerate(users, start=1):
        rank = seen[kind] = seen.get(kind, -1) + 1
        step = len(items) // same_kind[kind]
        start = rank * step - (rank * step) % 2  # a stock pair stays a pair
        rotated = items[start:] + items[:start]
        with open(os.path.join(run_dir, f"user_{index}.txt"), "w", encoding="utf-8") as file:
            file.write(cookie + "\n")
            for position, (check, path, body) in enumerate(rotated):
                if kind == "stock":
                    pair = "1" if position % 2 == 0 else "2"
                    action = "stock_partner" if pair == "1" else "stock_lead"
                else:
                    pair, action = "0", ACTIONS[kind]
                file.write(f"{action}\t{pair}\t{check}\t{path}\t{body}\n")


def run(wrk, url, run_dir, users, seconds, bound):
    """Play ``users`` against ``url`` for ``seconds`` (each at most ``bound``
    requests); returns (per action {latencies_ms, ok, errors, found, asked},
    wrk's summary, wrk's CPU seconds, error samples)."""
    write_users(run_dir, users)
    script = os.path.join(run_dir, "load.lua")
    with open(script, "w", encoding="utf-8") as file:
        file.write(LUA)
    summary_path = os.path.join(run_dir, "summary.txt")
    env = dict(os.environ, LOAD_WRK_SUMMARY=summary_path)
    threads = str(len(users))
    command = [wrk, "-t", threads, "-c", threads, "-d", f"{seconds}s", "--timeout", "10s", "-s", script, url]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    done = subprocess.run(
        [*command, "--", run_dir, str(bound)], env=env, capture_output=True, timeout=seconds + 60
    )
    if done.returncode:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.decode()[-2000:]}")
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    with open(summary_path, encoding="utf-8") as file:
        summary = {key: int(value) for key, value in (line.split() for line in file)}
    summary["wall"] = wall
    actions, samples = {}, []
    for name in sorted(os.listdir(run_dir)):
        if not name.startswith("log_"):
            continue
        with open(os.path.join(run_dir, name), encoding="utf-8") as file:
            for line in file:
                fields = line.rstrip("\n").split("\t")
                if fields[0] == "#":
                    samples.append(" ".join(fields[1:]))
                    continue
                action, micros, ok, found = fields[0], int(fields[1]), fields[2] == "1", fields[3]
                stats = actions.setdefault(
                    action, {"latencies_ms": [], "ok": 0, "errors": 0, "found": 0, "asked": 0}
                )
                stats["latencies_ms"].append(micros / 1000)
                stats["ok" if ok else "errors"] += 1
                if found != "-":
                    stats["asked"] += 1
                    stats["found"] += found == "1"
    return actions, summary, cpu, samples
