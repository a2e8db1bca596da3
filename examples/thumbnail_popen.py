"""A Lambda handler that starts a converter process and returns without waiting for it.

Standard library only: `leak-lsp reproduce examples/thumbnail_popen.py` runs it. The
child process is frozen with the environment and resumes in the next invocation.
"""

import subprocess
import sys

CONVERTER = "import time; time.sleep(0.3); print('thumbnail written')"


def lambda_handler(event, context):
    subprocess.Popen([sys.executable, "-c", CONVERTER])
    return {"statusCode": 202}
