-- What every interaction script of `make bench` shares (bench/bench.py runs wrk with one script).
--
-- wrk runs with -tN -cN: each thread has exactly one connection, and each thread is one signed-in
-- session. bench.py writes the sessions to a file (BENCH_SESSIONS), one line each, tab-separated
-- `key=value` fields: `cookie` (the Cookie header), `csrf` (the X-CSRFToken header) and the
-- interaction's own values (the cards to identify, the ordiposte of the décompte...). setup(thread)
-- gives the Nth thread the Nth line as globals of its own Lua state; init() builds its headers.
--
-- Every response's status is counted per thread (response()); done() merges them with wrk's
-- summary and latency percentiles and prints one line `BENCH-JSON {...}` that bench.py reads.
-- Latencies are in microseconds, as wrk records them.

local sessions_file = os.getenv("BENCH_SESSIONS")
local scheme_text = ""       -- set by the interaction script: how it drives the session (printed)
local threads = {}
local thread_count = 0

local function split(text, sep)
  local out = {}
  for piece in string.gmatch(text, "([^" .. sep .. "]+)") do
    out[#out + 1] = piece
  end
  return out
end

local function read_sessions()
  local list = {}
  local file = assert(io.open(sessions_file, "r"), "BENCH_SESSIONS: no sessions file")
  for line in file:lines() do
    if #line > 0 then
      local fields = {}
      for _, field in ipairs(split(line, "\t")) do
        local key, value = string.match(field, "^([^=]+)=(.*)$")
        fields[key] = value
      end
      list[#list + 1] = fields
    end
  end
  file:close()
  return list
end

function describe(text)
  scheme_text = text
end

-- Main state: one session per thread, in order.
function setup(thread)
  local list = read_sessions()
  thread_count = thread_count + 1
  local fields = list[((thread_count - 1) % #list) + 1]
  for key, value in pairs(fields) do
    thread:set(key, value)
  end
  thread:set("session_number", thread_count)
  threads[#threads + 1] = thread
end

-- Thread state ---------------------------------------------------------------------------------

statuses = {}
unexpected = 0              -- 2xx answers that do not hold what the interaction expects
last_error_body = ""

function init(args)
  base_headers = {
    ["Cookie"] = cookie,
    ["X-CSRFToken"] = csrf,
    -- what Chromium sends over http (make run): the server compresses as it would for a tablet
    ["Accept-Encoding"] = "gzip, deflate",
  }
  if on_init then on_init() end
end

function headers_for(extra)
  local h = {}
  for key, value in pairs(base_headers) do h[key] = value end
  for key, value in pairs(extra or {}) do h[key] = value end
  return h
end

local function urlencode(text)
  return (string.gsub(text, "([^%w%-_%.~])", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function form(fields)
  local parts = {}
  for _, pair in ipairs(fields) do
    parts[#parts + 1] = urlencode(pair[1]) .. "=" .. urlencode(pair[2])
  end
  return table.concat(parts, "&")
end

-- An htmx POST (the fragment answers), form-encoded, CSRF in the header as htmx sends it.
function htmx_post(path, body)
  return wrk.format("POST", path, headers_for({["HX-Request"] = "true",
    ["Content-Type"] = "application/x-www-form-urlencoded"}), body)
end

function htmx_get(path)
  return wrk.format("GET", path, headers_for({["HX-Request"] = "true"}), nil)
end

function page_get(path)
  return wrk.format("GET", path, headers_for(), nil)
end

function page_post(path, body)
  return wrk.format("POST", path, headers_for({["Content-Type"] = "application/x-www-form-urlencoded"}), body)
end

-- Count the status; the interaction's own check (on_response) may flag a 2xx as unexpected.
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  local ok = status >= 200 and status < 300
  if ok and on_response then
    ok = on_response(status, headers, body) ~= false
    if not ok then unexpected = unexpected + 1 end
  elseif not ok and on_failure then
    on_failure(status, headers, body)
  end
  if not ok and body then
    last_error_body = string.sub(body, 1, 300)
  end
end

-- Main state, at the end -----------------------------------------------------------------------

-- Bodies the interaction must read (the id of the line just added) come gzip-compressed: zlib
-- through LuaJIT's FFI (Debian's wrk is built on LuaJIT; libz is part of every Debian system).
local ffi = require("ffi")
ffi.cdef[[
typedef struct {
  const unsigned char *next_in; unsigned avail_in; unsigned long total_in;
  unsigned char *next_out; unsigned avail_out; unsigned long total_out;
  const char *msg; void *state; void *zalloc; void *zfree; void *opaque;
  int data_type; unsigned long adler; unsigned long reserved;
} bench_z_stream;
int inflateInit2_(bench_z_stream *strm, int windowBits, const char *version, int stream_size);
int inflate(bench_z_stream *strm, int flush);
int inflateEnd(bench_z_stream *strm);
]]
local zlib = ffi.load("libz.so.1")
local out_size = 1024 * 1024
local out_buffer = ffi.new("unsigned char[?]", out_size)

local function gunzip(data)
  local stream = ffi.new("bench_z_stream")
  assert(zlib.inflateInit2_(stream, 31, "1.2.13", ffi.sizeof(stream)) == 0, "inflateInit2")
  stream.next_in, stream.avail_in = data, #data
  local parts = {}
  repeat
    stream.next_out, stream.avail_out = out_buffer, out_size
    local code = zlib.inflate(stream, 0)
    parts[#parts + 1] = ffi.string(out_buffer, out_size - stream.avail_out)
  until code ~= 0 or stream.avail_in == 0
  zlib.inflateEnd(stream)
  return table.concat(parts)
end

-- The body as text, whatever its Content-Encoding (gzip or none: Brotli is not offered).
function text_of(headers, body)
  local encoding = headers["Content-Encoding"] or headers["content-encoding"]
  if body and encoding == "gzip" then return gunzip(body) end
  return body or ""
end

-- The id of the newest line of the basket in a basket fragment: the highest of its « Retirer » forms.
function newest_line(headers, body)
  local newest = nil
  for id in string.gmatch(text_of(headers, body), "/fse/lignes/(%d+)/supprimer") do
    id = tonumber(id)
    if newest == nil or id > newest then newest = id end
  end
  return newest
end

local function json(value)
  local kind = type(value)
  if kind == "table" then
    local is_list = #value > 0
    local parts = {}
    if is_list then
      for _, item in ipairs(value) do parts[#parts + 1] = json(item) end
      return "[" .. table.concat(parts, ",") .. "]"
    end
    for key, item in pairs(value) do
      parts[#parts + 1] = json(tostring(key)) .. ":" .. json(item)
    end
    return "{" .. table.concat(parts, ",") .. "}"
  elseif kind == "string" then
    return '"' .. string.gsub(value, '[%c"\\]', function(c)
      return string.format("\\u%04x", string.byte(c))
    end) .. '"'
  elseif kind == "number" then
    if value ~= value or value == math.huge or value == -math.huge then return "null" end
    return string.format("%.17g", value)
  elseif kind == "boolean" then
    return tostring(value)
  end
  return "null"
end

function done(summary, latency, requests)
  local merged, unexpected_total, sample = {}, 0, ""
  for _, thread in ipairs(threads) do
    local counts = thread:get("statuses") or {}
    for status, count in pairs(counts) do
      merged[tostring(status)] = (merged[tostring(status)] or 0) + count
    end
    unexpected_total = unexpected_total + (thread:get("unexpected") or 0)
    local body = thread:get("last_error_body") or ""
    if #body > 0 then sample = body end
  end
  local percentiles = {}
  for _, p in ipairs({50, 75, 90, 95, 99}) do
    percentiles["p" .. p] = latency:percentile(p)
  end
  io.write("BENCH-JSON " .. json({
    scheme = scheme_text,
    threads = #threads,
    requests = summary.requests,
    duration_us = summary.duration,
    bytes = summary.bytes,
    socket_errors = summary.errors,
    statuses = merged,
    unexpected = unexpected_total,
    error_sample = sample,
    latency_us = {p50 = percentiles.p50, p75 = percentiles.p75, p90 = percentiles.p90, p95 = percentiles.p95,
                  p99 = percentiles.p99, min = latency.min, max = latency.max, mean = latency.mean,
                  stdev = latency.stdev},
  }) .. "\n")
end
