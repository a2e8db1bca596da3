import sys

from leak_lsp.cli import main

sys.exit(main())
