"""The fixed twin of `examples/thumbnail_popen.py`, as `leak-lsp check --fix` writes it.

The handler waits for the child process, so nothing of it survives the invocation.
`leak-lsp reproduce examples/fixed/thumbnail_popen.py` reports `verdict: clean`.
"""

import subprocess
import sys

CONVERTER = "import time; time.sleep(0.3); print('thumbnail written')"


def lambda_handler(event, context):
    process = subprocess.Popen([sys.executable, "-c", CONVERTER])
    process.wait()
    return {"statusCode": 202}
