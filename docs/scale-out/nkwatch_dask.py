#!/usr/bin/env python3
"""nkwatch on a Dask cluster: ingest shards on the workers, merge, classify.

    python3 nkwatch_dask.py --store OUT.sqlite --shards DIR [--scheduler tcp://host:8786 | --local 4]
                            [--files-per-shard N] [--nkwatch PATH] [--scope-arg=ARG ...] [--plan FILE] ARCHIVE...

1. Lists the MRT files under each ARCHIVE (a cache that `nkwatch fetch` filled,
   a mirror of RouteViews or RIS laid out as the archives are, or files), or
   reads them from --plan (one path per line, e.g. from `nkwatch fetch
   --format json`'s cache).
2. Cuts the list into shards of about --files-per-shard files, each the files
   of one collector and one day where it can (so that a shard's RIB dumps and
   updates go together), and has the workers run `nkwatch ingest` on each into
   DIR/shard-NNNNN.sqlite. Dask schedules, retries a task whose worker died
   (an ingest into a new shard store is repeatable) and spreads the work.
3. Runs `nkwatch merge` on the shard stores into OUT (the store a single
   ingest of all the files makes) and prints `nkwatch classify` on it.

The workers need the nkwatch binary and the archive files at the same paths
(a shared file system, or the same fetch cache on every machine); DIR must be
shared with the machine that merges. Exit status: nkwatch's (0 ok, 3 when a
file was damaged or could not be read, …); 4 when the cluster failed.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time
from collections import defaultdict

MRT_NAME = re.compile(r"(updates|bview|rib)\.(\d{8})\.(\d{4})\.(gz|bz2)$")


def list_files(roots):
    files = []
    for root in roots:
        if os.path.isfile(root):
            files.append(os.path.abspath(root))
            continue
        for dirpath, _, names in os.walk(root):
            for n in names:
                if MRT_NAME.search(n):
                    files.append(os.path.abspath(os.path.join(dirpath, n)))
    return sorted(set(files))


def shard_key(path):
    """(collector folder, day): RIS is rrcNN/YYYY.MM/…, RouteViews NAME/bgpdata/YYYY.MM/{UPDATES,RIBS}/…"""
    parts = path.split(os.sep)
    m = MRT_NAME.search(parts[-1])
    day = m.group(2) if m else ""
    collector = ""
    for i, p in enumerate(parts):
        if re.fullmatch(r"\d{4}\.\d{2}", p) and i > 0:
            collector = parts[i - 2] if parts[i - 1] == "bgpdata" and i > 1 else parts[i - 1]
    return (collector, day)


def plan_shards(files, per_shard):
    groups = defaultdict(list)
    for f in files:
        groups[shard_key(f)].append(f)
    shards = []
    for key in sorted(groups):
        g = groups[key]
        for i in range(0, len(g), per_shard):
            shards.append(g[i:i + per_shard])
    return shards


def ingest_shard(nkwatch, store, scope_args, files):
    """Runs on a worker: one `nkwatch ingest` into a new shard store."""
    for suffix in ("", "-wal", "-shm"):
        try:
            os.unlink(store + suffix)  # a retried task starts afresh
        except FileNotFoundError:
            pass
    started = time.time()
    r = subprocess.run([nkwatch, "ingest", "--quiet", "--format", "json", "--jobs", "1", "--store", store] + scope_args + files,
                       capture_output=True, text=True)
    summary = json.loads(r.stdout) if r.stdout.strip().startswith("{") else None
    return {"store": store, "status": r.returncode, "summary": summary, "stderr": r.stderr[-2000:],
            "seconds": time.time() - started, "host": os.uname().nodename, "pid": os.getpid()}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("archives", nargs="*", help="archive folders or MRT files")
    ap.add_argument("--plan", help="a file naming the MRT files to read, one per line")
    ap.add_argument("--store", required=True, help="the merged store to write")
    ap.add_argument("--shards", required=True, help="folder for the shard stores (shared with the workers)")
    ap.add_argument("--scheduler", help="a Dask scheduler's address (tcp://host:8786)")
    ap.add_argument("--local", type=int, default=2, help="without --scheduler: a LocalCluster of this many worker processes")
    ap.add_argument("--files-per-shard", type=int, default=300)
    ap.add_argument("--nkwatch", default=os.environ.get("NKWATCH", "nkwatch"), help="the nkwatch binary (on every worker)")
    ap.add_argument("--scope-arg", action="append", default=[], help="an nkwatch scope argument, e.g. --scope-arg=--country=KP (repeatable)")
    ap.add_argument("--classify-format", default="text", choices=["text", "json"])
    args = ap.parse_args(argv)

    files = list_files(args.archives)
    if args.plan:
        with open(args.plan) as f:
            files = sorted(set(files) | {os.path.abspath(l.strip()) for l in f if l.strip()})
    if not files:
        print("nkwatch_dask: no MRT file found", file=sys.stderr)
        return 3
    shards = plan_shards(files, max(1, args.files_per_shard))
    os.makedirs(args.shards, exist_ok=True)
    stores = [os.path.abspath(os.path.join(args.shards, "shard-%05d.sqlite" % i)) for i in range(len(shards))]

    from dask.distributed import Client, LocalCluster
    cluster = None
    try:
        if args.scheduler:
            client = Client(args.scheduler)
        else:
            cluster = LocalCluster(n_workers=args.local, threads_per_worker=1, processes=True, dashboard_address=None)
            client = Client(cluster)
        workers = len(client.scheduler_info()["workers"])
        print("nkwatch_dask: %d files in %d shards on %d workers" % (len(files), len(shards), workers), file=sys.stderr)
        started = time.time()
        futures = client.map(ingest_shard, [args.nkwatch] * len(shards), stores, [args.scope_arg] * len(shards), shards,
                             pure=False, retries=2)
        results = client.gather(futures)
        client.close()
    except Exception as e:  # the cluster, not nkwatch, failed
        print("nkwatch_dask: the cluster failed: %s" % e, file=sys.stderr)
        return 4
    finally:
        if cluster is not None:
            cluster.close()
    ingest_seconds = time.time() - started
    worst = 0
    for r in results:
        if r["status"] != 0:
            worst = max(worst, r["status"])
            print("nkwatch_dask: %s: nkwatch ingest exited %d: %s" % (r["store"], r["status"], r["stderr"].strip()), file=sys.stderr)
    if any(r["summary"] is None for r in results):
        return worst or 4
    hosts = sorted({(r["host"], r["pid"]) for r in results})
    print("nkwatch_dask: ingested %d shards in %.1f s on %d worker processes" % (len(results), ingest_seconds, len(hosts)), file=sys.stderr)

    m = subprocess.run([args.nkwatch, "merge", "--store", args.store] + stores)
    if m.returncode not in (0, 3):
        return m.returncode
    worst = max(worst, m.returncode)
    c = subprocess.run([args.nkwatch, "classify", "--store", args.store, "--format", args.classify_format] + args.scope_arg)
    return max(worst, c.returncode)


if __name__ == "__main__":
    sys.exit(main())
