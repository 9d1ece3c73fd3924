#!/usr/bin/env bash
# The layers of src/, bottom to top: a file may include headers of its own folder and
# of folders on lower layers only (folders on one layer do not include each other).
# Prints PASS/FAIL per folder; a new folder must be given its layer here.
set -u
cd "$(dirname "$0")/.."
declare -A rank=([util]=0 [crypto]=1 [core]=2 [platform]=3 [uapi]=3 [sys]=3 [dns]=3
                 [dataplane]=4 [tools]=4 [router]=5 [console]=6 [api]=7 [cmd]=8)
for dir in src/*/; do
	d=$(basename "$dir")
	if [ -z "${rank[$d]:-}" ]; then echo "FAIL layers:$d (folder without a layer in tests/layers.sh)"; continue; fi
	bad=""
	while IFS= read -r line; do
		file=${line%%:*}; to=${line#*#include \"}; to=${to%%/*}
		[ "$to" = "$d" ] && continue
		if [ -z "${rank[$to]:-}" ] || [ "${rank[$to]}" -ge "${rank[$d]}" ]; then bad+=" $file->$to"; fi
	done < <(grep -H '^#include "[a-z]*/' "$dir"*.[ch] 2>/dev/null)
	if [ -z "$bad" ]; then echo "PASS layers:$d"; else echo "FAIL layers:$d (includes a layer above or beside it:$bad)"; fi
done
