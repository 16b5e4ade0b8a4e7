import sys

from dovvy.cli import main

sys.exit(main())
