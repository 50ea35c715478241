"""Reads cargo's JSON messages on stdin; names every crate that was compiled rather than found
ready, and exits 1 when there is any (a build expected to reuse an earlier one's artifacts)."""
import json
import sys

recompiled = []
for line in sys.stdin:
    try:
        message = json.loads(line)
    except ValueError:
        continue
    if message.get("reason") == "compiler-artifact" and not message["fresh"]:
        recompiled.append(message["target"]["name"])
    elif message.get("reason") == "build-finished" and not message["success"]:
        sys.exit("the build failed")
if recompiled:
    print(f"compiled again: {', '.join(recompiled)}")
    sys.exit(1)
