"""Summarizes the run's numbers with whatever mylib its environment pinned.

Runs in a pythonEnv: a venv under .updraft/envs/<hash>/ locally, an image on ECS Fargate.
The run's params arrive as JSON in UPDRAFT_PARAMS; the last line printed is the task's XCom.
"""
import json
import os
import sys

import mylib

params = json.loads(os.environ.get("UPDRAFT_PARAMS", "{}"))
values = params.get("values", [1, 2, 3, 4])
print(f"python {sys.version.split()[0]}, mylib {mylib.__version__} from {mylib.__file__}")
print(json.dumps({"mylib": mylib.__version__, "summary": mylib.summarize(values)}))
