import sys

from adherelog.cli import main

sys.exit(main())
