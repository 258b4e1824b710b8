"""Compares the two environments' summaries (passed as JSON arguments); prints the verdict as JSON."""
import json
import sys

first, second = (json.loads(arg) for arg in sys.argv[1:3])
same = first["summary"] == second["summary"]
print(f"mylib {first['mylib']} says {first['summary']}, mylib {second['mylib']} says {second['summary']}")
print(json.dumps({"versions": [first["mylib"], second["mylib"]], "agree": same}))
