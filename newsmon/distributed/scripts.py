"""The Lua scripts of the shared frontier: each step that must not be seen half-done by another
worker runs inside Redis as one script. Times come from the server's clock (TIME), so the
workers' clocks need not agree.

Layout (newsmon.distributed.keys.CrawlKeys): `requests` is scrapy-redis's priority queue (a ZSET,
score -priority, member the serialized request); `leases` a ZSET of lease id -> expiry (ms);
`leased` a HASH of lease id -> "<score>\\n<request>", so that a lease can go back to the queue
with its priority.
"""
from __future__ import annotations

_NOW_MS = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
"""

# Put leases back in the queue (their request at its priority) and forget them.
_REQUEUE = """
local function requeue(ids)
  for _, id in ipairs(ids) do
    local entry = redis.call('HGET', KEYS[3], id)
    if entry then
      local sep = string.find(entry, '\\n', 1, true)
      redis.call('ZADD', KEYS[1], string.sub(entry, 1, sep - 1), string.sub(entry, sep + 1))
    end
    redis.call('ZREM', KEYS[2], id)
    redis.call('HDEL', KEYS[3], id)
  end
  return #ids
end
"""

# KEYS: requests, leases, leased. ARGV: lease id, lease ms. The first request by priority, or nil.
LEASE = _NOW_MS + """
local top = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #top == 0 then return false end
redis.call('ZREM', KEYS[1], top[1])
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[1])
redis.call('HSET', KEYS[3], ARGV[1], top[2] .. '\\n' .. top[1])
return top[1]
"""

# KEYS: leases. ARGV: lease ms, lease ids. Extends the leases still held; returns how many.
RENEW = _NOW_MS + """
local renewed = 0
for i = 2, #ARGV do
  renewed = renewed + redis.call('ZADD', KEYS[1], 'XX', 'CH', now + tonumber(ARGV[1]), ARGV[i])
end
return renewed
"""

# KEYS: requests, leases, leased, reaped counter. ARGV: at most how many. Expired leases back to the queue.
REAP = _NOW_MS + _REQUEUE + """
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
local n = requeue(expired)
if n > 0 then redis.call('INCRBY', KEYS[4], n) end
return n
"""

# KEYS: requests, leases, leased. ARGV: lease ids. A closing worker gives back what it still holds.
RELEASE = _REQUEUE + """
return requeue(ARGV)
"""

# KEYS: requests, fingerprints, seed. ARGV: the seed value, then (fingerprint, score, request)
# triples. The first worker of a crawl to get here queues its start requests (each unless the
# filter has it), all at once with the seed flag; every later one queues nothing (returns 0).
SEED = """
if redis.call('EXISTS', KEYS[3]) == 1 then return 0 end
for i = 2, #ARGV, 3 do
  if redis.call('SADD', KEYS[2], ARGV[i]) == 1 then redis.call('ZADD', KEYS[1], ARGV[i + 1], ARGV[i + 2]) end
end
redis.call('SET', KEYS[3], ARGV[1])
return 1
"""

# KEYS: requests, leases, seed, then every key of the crawl. Returns 1 when the crawl is over
# (seeded, nothing queued, nothing leased): its keys are deleted, so the next crawl starts afresh;
# 2 when it was already over (the seed flag gone); 0 while it goes on.
FINISH = """
if redis.call('EXISTS', KEYS[3]) == 0 then return 2 end
if redis.call('ZCARD', KEYS[1]) > 0 or redis.call('ZCARD', KEYS[2]) > 0 then return 0 end
redis.call('DEL', unpack(KEYS, 3))
return 1
"""

# KEYS: the host's key. ARGV: interval ms. Takes the host's turn if it is free: returns 0 (go
# now; the turn is this request's for `interval`), else the ms until it is free. A request
# takes the turn at the moment it is to leave, not in advance, so a worker whose event loop
# ran late cannot send a burst of turns it booked earlier.
ACQUIRE = """
if redis.call('SET', KEYS[1], '1', 'NX', 'PX', tonumber(ARGV[1])) then return 0 end
return math.max(redis.call('PTTL', KEYS[1]), 1)
"""

# KEYS: the host's slots (ZSET token -> until, ms). ARGV: token, limit, hold ms. Holds a slot if
# fewer than `limit` are held (slots of dead workers lapse): 0; else the ms to ask again (soon:
# a slot frees whenever a response comes back).
HOLD_SLOT = _NOW_MS + """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
  return 0
end
return 20
"""

# KEYS: the host's slots. ARGV: token.
FREE_SLOT = """
return redis.call('ZREM', KEYS[1], ARGV[1])
"""
