"""One crawl spread over several machines through Redis (``govreports crawl --distributed``).

- **Work**: the coordinator (``govreports crawl --distributed``) puts the crawl's sources on Redis,
  grouped by host; a worker (``govreports worker``) claims a host group under a lease it renews, and
  crawls its sources with scrapy-redis's scheduler and duplicate filter (one queue and seen-set per
  source, kept in Redis). One worker at a time per host keeps Scrapy's per-host politeness true
  across machines.
- **Nothing lost**: a request a worker took from Redis stays in the source's in-flight hash until its
  callback or errback is done; a worker killed mid-source lets its lease expire, and the next claimant
  puts those requests back on the queue before resuming it.
- **One writer**: workers never open the archive. Items (raw bytes included) and run stats go to a
  Redis stream; the coordinator reads it in a consumer group and applies each batch with the
  single-machine pipeline (``ArchivePipeline``) in one SQLite transaction together with the last
  applied stream id, so a restarted writer resumes there and a redelivered message writes nothing twice.
"""
