#!/bin/sh
# The scripted workload: its output (between the BEGIN and END markers) must
# be the same under Disco, bare on the simulated node and under QEMU.
# Simulated time around the workload (outside the compared block).
echo "DISCO-TIME: begin $(cut -d' ' -f1 /proc/uptime)"
echo "DISCO-WORKLOAD-BEGIN"
i=0; s=0
while [ $i -lt 200 ]; do s=$((s + i * i % 97)); i=$((i + 1)); done
echo "arith: $s"
n=0
while [ $n -lt 2000 ]; do echo "line $n of the generated file"; n=$((n + 1)); done > /tmp/gen.txt
echo "gen: $(wc -c < /tmp/gen.txt) bytes"
echo "md5: $(md5sum < /tmp/gen.txt | cut -d' ' -f1)"
gzip -9 -c /tmp/gen.txt > /tmp/gen.gz
echo "gzip: $(wc -c < /tmp/gen.gz) bytes, md5 $(md5sum < /tmp/gen.gz | cut -d' ' -f1)"
echo "gunzip: $(gzip -dc /tmp/gen.gz | md5sum | cut -d' ' -f1)"
/bin/wprog 2000
echo "DISCO-WORKLOAD-END"
echo "DISCO-TIME: end $(cut -d' ' -f1 /proc/uptime)"
