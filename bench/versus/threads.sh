#!/usr/bin/env bash
# bench/versus/threads.sh PID...: CPU ticks (user + system) so far of every thread of these processes,
# summed by kind of thread, one "kind ticks" line each. Two snapshots around a run give where the
# servers' CPU went in it: event loops, JIT compiler, GC, Hazelcast, workers, the VM, ... .
for p in "$@"; do
  for f in /proc/"$p"/task/*/stat; do
    [ -r "$f" ] && cat "$f" 2>/dev/null
    echo
  done
done | awk '
  NF == 0 { next }
  {
    o = index($0, "("); c = 0
    for (i = length($0); i > 0; i--) if (substr($0, i, 1) == ")") { c = i; break }
    if (!o || !c) next
    name = substr($0, o + 1, c - o - 1)
    n = split(substr($0, c + 2), f, " ")
    ticks = f[12] + f[13]
    if (name ~ /^vert\.x-eventloo/) kind = "event loops"
    else if (name ~ /^vert\.x-(worker|internal)/ || name ~ /^ForkJoinPool/) kind = "workers"
    else if (name ~ /^vert\.x-acceptor/) kind = "acceptor"
    else if (name ~ /Compiler/) kind = "JIT compiler"
    else if (name ~ /^(GC |G1 |VM Periodic|Sweeper)/ || name ~ /GC/) kind = "GC and VM housekeeping"
    else if (name ~ /^VM Thread/) kind = "GC and VM housekeeping"
    else if (name ~ /^hz\./ || name ~ /hazelcast/) kind = "Hazelcast"
    else if (name ~ /^parley-bcrypt/) kind = "bcrypt"
    else if (name ~ /^(node|MainThread)$/) kind = "main thread"
    else if (name ~ /^libuv-worker/) kind = "libuv workers"
    else if (name ~ /^V8 /) kind = "V8 (GC, compiler)"
    else if (name ~ /^java$/) kind = "main thread"
    else kind = "other"
    sum[kind] += ticks
  }
  END { for (k in sum) print k "\t" sum[k] }'
